#!/usr/bin/env python3
"""Summarizes a scaling run (bench/scaling-run): a Markdown table of calls/s, speed-up and server
CPU per call against the number of scorers, and an SVG of the cost curve.

    python3 bench/scaling/summarize.py --svg OUT.svg scaling-1.json scaling-2.json …
"""
import argparse
import json
import re


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--svg", required=True)
    parser.add_argument("results", nargs="+")
    args = parser.parse_args()
    points = []
    machine = None
    for path in args.results:
        report = json.load(open(path))
        machine = report["machine"]
        target = report["targets"][0]
        match = re.search(r"×(\d+) scorers", target["target"])
        count = int(match.group(1)) if match else 1
        median = target["median"]
        points.append((count, median["throughput"], median.get("serverCPUMicrosPerCall"), median["latency"]["p99"],
                       median["clientCPUPercent"], median["spread"].get("throughput", 0)))
    points.sort()
    base = points[0][1]
    lines = [f"# Scaling run: unary calls/s against scorer processes", "",
             f"{machine['cores']} cores, {machine['cpu']}. Closed loop, 64 callers per scorer, calls spread evenly; "
             "medians of 3 runs; load generator on the same machine.", "",
             "| scorers | calls/s | speed-up | spread | server CPU per call | p99 | client CPU |",
             "|---|---|---|---|---|---|---|"]
    for count, throughput, cpu, p99, client, spread in points:
        cpu_text = "-" if cpu is None else f"{cpu:.1f} µs"
        lines.append(f"| {count} | {throughput:,.0f} | {throughput / base:.2f}× | ±{spread * 50:.0f} % | {cpu_text} "
                     f"| {p99 / 1000:.2f} ms | {client:.0f} % |")
    print("\n".join(lines))
    write_svg(args.svg, points, machine)


def write_svg(path, points, machine):
    width, height, left, right, top, bottom = 640, 380, 70, 70, 40, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    counts = [p[0] for p in points]
    max_count = max(counts)
    max_rate = max(p[1] for p in points) * 1.15
    cpus = [p[2] for p in points if p[2] is not None]
    max_cpu = max(cpus) * 1.3 if cpus else 1
    x = lambda c: left + (c / max_count) * plot_w
    y_rate = lambda r: top + plot_h - r / max_rate * plot_h
    y_cpu = lambda c: top + plot_h - c / max_cpu * plot_h
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{left}" y="24" font-size="14" font-weight="bold">Cost curve: {machine["cores"]} cores</text>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>',
           f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">scorer processes</text>',
           f'<text x="14" y="{top + plot_h / 2}" text-anchor="middle" transform="rotate(-90 14 {top + plot_h / 2})" fill="#1f77b4">calls/s</text>',
           f'<text x="{width - 14}" y="{top + plot_h / 2}" text-anchor="middle" transform="rotate(90 {width - 14} {top + plot_h / 2})" fill="#d62728">server CPU µs per call</text>']
    for c in counts:
        svg.append(f'<text x="{x(c):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{c}</text>')
    for i in range(5):
        r = max_rate * i / 4
        svg.append(f'<text x="{left - 6}" y="{y_rate(r) + 4:.1f}" text-anchor="end" fill="#1f77b4">{r:,.0f}</text>')
        svg.append(f'<line x1="{left}" y1="{y_rate(r):.1f}" x2="{left + plot_w}" y2="{y_rate(r):.1f}" stroke="#eee"/>')
        if cpus:
            c = max_cpu * i / 4
            svg.append(f'<text x="{left + plot_w + 6}" y="{y_cpu(c) + 4:.1f}" fill="#d62728">{c:.0f}</text>')
    rate_points = " ".join(f"{x(p[0]):.1f},{y_rate(p[1]):.1f}" for p in points)
    ideal = " ".join(f"{x(p[0]):.1f},{y_rate(min(points[0][1] * p[0], max_rate)):.1f}" for p in points)
    svg.append(f'<polyline fill="none" stroke="#1f77b4" stroke-width="1" stroke-dasharray="4 4" points="{ideal}"/>')
    svg.append(f'<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{rate_points}"/>')
    if cpus:
        cpu_points = " ".join(f"{x(p[0]):.1f},{y_cpu(p[2]):.1f}" for p in points if p[2] is not None)
        svg.append(f'<polyline fill="none" stroke="#d62728" stroke-width="2" points="{cpu_points}"/>')
    svg.append(f'<text x="{left + 10}" y="{top + 12}" fill="#1f77b4">calls/s (dashed: linear from 1 scorer)</text>')
    svg.append(f'<text x="{left + 10}" y="{top + 28}" fill="#d62728">server CPU per call</text>')
    svg.append("</svg>")
    with open(path, "w") as handle:
        handle.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
