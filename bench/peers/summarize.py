#!/usr/bin/env python3
"""Reads the results bench/peers/run wrote and prints the peers table with ratios and goal
verdicts (Markdown). A goal missed is printed as missed, with the numbers.

    python3 bench/peers/summarize.py --results bench/results --date 2026-11-23
"""
import argparse
import glob
import json
import os
import statistics

UNARY_BOUND_US = 10_000
BATCH_BOUND_US = 250_000


def load(path):
    with open(path) as handle:
        return json.load(handle)


def holds(run, bound):
    rate = run.get("targetRate") or 0
    failure = run["failed"] / run["sent"] if run["sent"] else 1
    return run["latency"]["p99"] <= bound and failure <= 0.001 and run["scheduleHeld"] >= 0.98 and run["answered"] > 0 and rate > 0


def best(path, bound):
    """The highest swept rate that held, as (calls/s, rows/s, p99 µs), or None."""
    if not os.path.exists(path):
        return None
    runs = [run for target in load(path)["targets"] for run in target["runs"]]
    good = [run for run in runs if holds(run, bound)]
    if not good:
        return (0, 0, None)
    top = max(good, key=lambda run: run["targetRate"])
    return (top["throughput"], top["rowsPerSecond"], top["latency"]["p99"])


def rounds(results, name, date):
    """The sweep files of `name` for `date`: one per round (NAME-DATE-r1.json, …), or the single
    file of a run from before rounds (NAME-DATE.json)."""
    files = glob.glob(os.path.join(results, f"{name}-{date}-r*.json"))
    files.sort(key=lambda f: int(f.rsplit("-r", 1)[1].removesuffix(".json")))
    single = os.path.join(results, f"{name}-{date}.json")
    return files or ([single] if os.path.exists(single) else [])


class Sweeps:
    """A target's sweeps over the rounds: each round's best, and the median round."""

    def __init__(self, files, bound, column):
        self.bests = [b for b in (best(f, bound) for f in files) if b is not None]
        self.column = column  # 0: calls/s, 1: rows/s

    def __bool__(self):
        return bool(self.bests)

    def values(self):
        return [b[self.column] for b in self.bests]

    def median(self):
        """The round whose rate is the median one (the lower middle for an even count)."""
        ordered = sorted(self.bests, key=lambda b: b[self.column])
        return ordered[(len(ordered) - 1) // 2]

    def ratio(self, other):
        """The median over rounds of this target's rate over `other`'s in the same round (the
        rounds run every target one after another, so a round's pair met the same machine);
        the ratio of medians when their round counts differ."""
        mine, theirs = self.values(), other.values()
        if len(mine) == len(theirs):
            return statistics.median(ratio(a, b) for a, b in zip(mine, theirs))
        return ratio(self.median()[self.column], other.median()[self.column])

    def spread(self):
        values = self.values()
        if len(values) < 2:
            return ""
        return f" (rounds: {', '.join(f'{v:,.0f}' for v in values)})"


def time(us):
    if us is None:
        return "-"
    return f"{us:.0f} µs" if us < 1000 else f"{us / 1000:.2f} ms"


def ratio(a, b):
    return a / b if b else float("inf")


def verdict(ok):
    return "**met**" if ok else "**missed**"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--date", required=True)
    args = parser.parse_args()
    path = lambda name: os.path.join(args.results, f"{name}-{args.date}.json")
    lines = [f"# ChurnGuard and its peers, {args.date}", ""]
    first = None
    for name in ("peers-unary-1000", "peers-unary-2000", "peers-batch-5", "peers-unary-closed"):
        if not os.path.exists(path(name)):
            continue
        report = load(path(name))
        first = first or report
        lines += [f"## {report['description']}", "",
                  "| target | sent/s | answered/s | rows/s | p50 | p90 | p99 | p99.9 | failed | server CPU/call |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for target in report["targets"]:
            m = target["median"]
            cpu = m.get("serverCPUMicrosPerCall")
            lines.append(
                f"| {target['target']} | {m['achievedRate']:,.0f} | {m['throughput']:,.0f} | {m['rowsPerSecond']:,.0f} "
                f"| {time(m['latency']['p50'])} | {time(m['latency']['p90'])} | {time(m['latency']['p99'])} "
                f"| {time(m['latency']['p999'])} | {m['failed']} | {'-' if cpu is None else f'{cpu:,.0f} µs'} |")
        if name == "peers-unary-closed":
            lines.append("(A closed loop hides queueing: read throughput from it, latency from the open-loop tables.)")
        lines.append("")
    if first:
        lines.insert(1, f"{first['machine']['cores']} cores, {first['machine']['cpu']}; commit {first.get('commit') or '?'}; "
                        "medians of the repetitions; latency from the intended send time (open loop, Poisson arrivals).\n")

    sweeps = {t: Sweeps(rounds(args.results, f"peers-sweep-unary-{t}", args.date), UNARY_BOUND_US, 0)
              for t in ("churnguard", "floor", "sdk", "grpc", "fastapi")}
    batch = {t: Sweeps(rounds(args.results, f"peers-sweep-batch-{t}", args.date), BATCH_BOUND_US, 1)
             for t in ("churnguard", "grpc", "fastapi")}
    count = max([len(v.bests) for v in list(sweeps.values()) + list(batch.values())] + [0])
    lines += ["## Highest rate held (rate sweeps)", "",
              f"Unary: p99 ≤ {UNARY_BOUND_US / 1000:.0f} ms; batch: p99 ≤ {BATCH_BOUND_US / 1000:.0f} ms per 1,000-row frame; "
              "no failures, ≥ 98 % of the calls due sent on time."
              + (f" {count} rounds, each sweeping every target in turn: the median round's rate and p99, "
                 "each round's rate in brackets; a goal's ratio is the median of the rounds' ratios." if count > 1 else ""),
              "", "| target | unary calls/s | its p99 | batch rows/s | its p99 |", "|---|---|---|---|---|"]
    for target in ("churnguard", "floor", "sdk", "grpc", "fastapi"):
        unary = sweeps.get(target)
        rows = batch.get(target)
        if not unary and not rows:
            continue
        lines.append(
            f"| {'churnguard via ChurnClient' if target == 'sdk' else target} | {'-' if not unary else f'{unary.median()[0]:,.0f}{unary.spread()}'} "
            f"| {time(unary.median()[2]) if unary else '-'} "
            f"| {'-' if not rows else f'{rows.median()[1]:,.0f}{rows.spread()}'} | {time(rows.median()[2]) if rows else '-'} |")
    lines.append("")

    goals = []
    cg, grpc, fast, floor = (sweeps.get(t) for t in ("churnguard", "grpc", "fastapi", "floor"))
    if cg and grpc:
        r = cg.ratio(grpc)
        goals.append(f"- Throughput at equal p99 (≤ {UNARY_BOUND_US / 1000:.0f} ms) ≥ 2× gRPC's: {r:.2f}× → {verdict(r >= 2)}")
    for rate in (1000, 2000):
        if os.path.exists(path(f"peers-unary-{rate}")):
            medians = {t["target"]: t["median"] for t in load(path(f"peers-unary-{rate}"))["targets"]}
            ours = medians.get("churnguard unary")
            theirs = medians.get("grpc-swift unary")
            if ours and theirs:
                r = ours["latency"]["p99"] / theirs["latency"]["p99"]
                goals.append(f"- p99 at {rate:,} calls/s ≤ 0.5× gRPC's: {time(ours['latency']['p99'])} vs "
                             f"{time(theirs['latency']['p99'])} = {r:.2f}× → {verdict(r <= 0.5)}")
    if cg and fast:
        r = cg.ratio(fast)
        goals.append(f"- Unary calls/s ≥ 10× FastAPI's: {r:.1f}× → {verdict(r >= 10)}")
    cgb, fastb = batch.get("churnguard"), batch.get("fastapi")
    if cgb and fastb:
        r = cgb.ratio(fastb)
        goals.append(f"- Batch rows/s ≥ 50× FastAPI's: {r:.1f}× → {verdict(r >= 50)}")
    if cg and floor:
        r = cg.ratio(floor)
        goals.append(f"- Unary throughput ≥ 0.9× the transport floor's: {r:.2f}× → {verdict(r >= 0.9)}")
    closed = {}
    if os.path.exists(path("peers-unary-closed")):
        closed = {t["target"]: t["median"]["throughput"] for t in load(path("peers-unary-closed"))["targets"]}
    most = lambda name: closed.get(name) or 0
    if most("churnguard unary") and most("transport floor"):
        r = ratio(most("churnguard unary"), most("transport floor"))
        goals.append(f"- Maximum unary throughput (closed loop) ≥ 0.9× the transport floor's: "
                     f"{most('churnguard unary'):,.0f} vs {most('transport floor'):,.0f} calls/s = {r:.2f}× → {verdict(r >= 0.9)}")
    if most("churnguard unary") and most("grpc-swift unary"):
        r = ratio(most("churnguard unary"), most("grpc-swift unary"))
        goals.append(f"- Maximum unary throughput (closed loop) ≥ 2× gRPC's: {r:.2f}× → {verdict(r >= 2)}")
    if most("churnguard unary") and most("fastapi unary"):
        r = ratio(most("churnguard unary"), most("fastapi unary"))
        goals.append(f"- Maximum unary calls/s (closed loop) ≥ 10× FastAPI's: {r:.1f}× → {verdict(r >= 10)}")
    # ChurnClient against gRPC's client: both awaited from a task per call, so the callers spend
    # alike. Not a goal of its own; it says what the goals' ratios are when both sides are called
    # as Swift services call them.
    sdk = sweeps.get("sdk")
    like = []
    if sdk and grpc:
        like.append(f"- Throughput at equal p99 (≤ {UNARY_BOUND_US / 1000:.0f} ms), ChurnClient against gRPC's client: "
                    f"{sdk.ratio(grpc):.2f}×")
    for rate in (1000, 2000):
        if os.path.exists(path(f"peers-unary-{rate}")):
            medians = {t["target"]: t["median"] for t in load(path(f"peers-unary-{rate}"))["targets"]}
            ours, theirs = medians.get("churnclient unary"), medians.get("grpc-swift unary")
            if ours and theirs:
                like.append(f"- p99 at {rate:,} calls/s, ChurnClient against gRPC's client: {time(ours['latency']['p99'])} vs "
                            f"{time(theirs['latency']['p99'])} = {ours['latency']['p99'] / theirs['latency']['p99']:.2f}×")
    if most("churnclient unary") and most("grpc-swift unary"):
        like.append(f"- Maximum unary throughput (closed loop), ChurnClient against gRPC's client: "
                    f"{most('churnclient unary'):,.0f} vs {most('grpc-swift unary'):,.0f} calls/s = "
                    f"{ratio(most('churnclient unary'), most('grpc-swift unary')):.2f}×")
    if sdk and cg:
        like.append(f"- ChurnClient against churnbench's generator, sweeps: {sdk.ratio(cg):.2f}×")
    if like:
        lines += ["## Called as Swift services call them", "",
                  "churnbench's generator starts each ChurnGuard call on its connection's event loop, the least a "
                  "caller can spend; the gRPC peer's client is awaited from a task per call. ChurnClient is "
                  "awaited the same way, so these ratios compare the two clients as Swift services use them.", ""]
        lines += like + [""]
    lines += ["## Goals (issue 6)", "",
              "Throughput is read two ways: the highest rate whose p99 stays under the bound (sweeps), and "
              "the most calls a target answers (closed loop). Both are printed; neither replaces the other.", ""]
    lines += goals + [""]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
