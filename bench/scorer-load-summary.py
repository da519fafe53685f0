#!/usr/bin/env python3
"""One table row of bench/scorer-load from h2load's summary and its per-request log
(--log-file: start time, status, duration in microseconds, tab-separated)."""
import argparse, re

parser = argparse.ArgumentParser()
parser.add_argument("--name", required=True)
parser.add_argument("--h2load", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--cpu-seconds", type=float, required=True)
parser.add_argument("--rows-per-request", type=int, default=0)
args = parser.parse_args()

summary = open(args.h2load).read()
done = int(re.search(r"(\d+) succeeded", summary).group(1))
failed = sum(int(x) for x in re.search(r"(\d+) failed, (\d+) errored, (\d+) timeout", summary).groups())
codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", summary).groups()
failed += sum(int(x) for x in codes[1:])
rate = float(re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", summary).group(1))

durations = sorted(int(line.split("\t")[2]) for line in open(args.log) if line.strip())
def at(q):
    return durations[min(len(durations) - 1, int(len(durations) * q))] if durations else 0
def show(us):
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us} µs"
cpu_per_call = args.cpu_seconds / done * 1e6 if done else 0
rows = f"{rate * args.rows_per_request:,.0f}" if args.rows_per_request else "—"
per = f"{cpu_per_call / args.rows_per_request * 1000:.0f} ns/row" if args.rows_per_request else f"{cpu_per_call:.1f} µs"
print(f"| {args.name} | {rate:,.0f} | {rows} | {show(at(0.5))} | {show(at(0.99))} | {show(at(0.999))} | {per} | {failed} |")
