internal import Foundation

/// Compares two reports target by target and flags what got worse beyond noise.
///
/// Only runs under the same load are compared: a target's runs match when the name, the mode,
/// the arrival rate and process (open loop) or the callers (closed loop) are the same, since
/// latency at another rate says nothing about a change. A sweep's steps therefore match rate by
/// rate. A target both reports ran under different loads only is listed in ``differentLoads``.
///
/// A metric has regressed when it moved the wrong way (throughput down, latency up) by more
/// than the noise: the larger of the two reports' spreads over their repetitions and a floor
/// (default 5 %), since a single run's spread understates the machine's noise. The share of
/// calls that failed has regressed when it rose by more than 0.1 percentage points (a rate
/// sweep's own bound on failures).
public struct ReportComparison: Sendable {
    /// One metric of one target in both reports.
    public struct Line: Sendable, Hashable {
        public var target: String
        /// The load both ran under, such as `open loop at 1,000 calls/s (poisson)`.
        public var load: String
        public var metric: String
        public var old: Double
        public var new: Double
        /// (new − old) / old; for `failed` (a share of calls), new − old.
        public var change: Double
        /// The change that counts as noise for this metric, in the units of ``change``.
        public var noise: Double
        /// Whether it moved the wrong way by more than the noise.
        public var regressed: Bool
        /// Whether it moved the right way by more than the noise.
        public var improved: Bool
    }

    /// A target both reports ran, but under different loads only: not compared.
    public struct DifferentLoad: Sendable, Hashable {
        public var target: String
        /// The loads each report ran it under.
        public var old: [String]
        public var new: [String]

        public init(target: String, old: [String], new: [String]) {
            self.target = target
            self.old = old
            self.new = new
        }
    }

    /// What a target's runs were asked to do.
    struct Load: Hashable, CustomStringConvertible {
        var mode: String
        var rate: Double?
        var arrivals: String?
        var concurrency: Int?

        init(_ runs: TargetRuns) {
            let run = runs.runs.first
            self.mode = run?.mode ?? "?"
            self.rate = run?.targetRate
            self.arrivals = run?.arrivals
            self.concurrency = run?.concurrency
        }

        var description: String {
            if self.mode == "closed" { return "closed loop, \(self.concurrency.map(String.init) ?? "?") callers" }
            let rate = self.rate.map { ReportComparison.format($0) } ?? "?"
            return "open loop at \(rate) calls/s" + (self.arrivals.map { " (\($0))" } ?? "")
        }
    }

    /// The least rise in the share of failed calls that counts: 0.1 percentage points.
    public static let failedShareNoise = 0.001

    public var lines: [Line]
    /// Targets both reports ran under different loads only.
    public var differentLoads: [DifferentLoad]
    /// Targets only one of the reports has.
    public var unmatched: [String]

    /// Compares `old` with `new`.
    public init(old: LoadReport, new: LoadReport, noiseFloor: Double = 0.05) {
        var oldRuns: [String: [(Load, TargetRuns)]] = [:]
        for runs in old.targets { oldRuns[runs.target, default: []].append((Load(runs), runs)) }
        var lines: [Line] = []
        var different: [String: DifferentLoad] = [:]
        var differentOrder: [String] = []
        for after in new.targets {
            let load = Load(after)
            guard let candidates = oldRuns[after.target] else { continue }
            guard let before = candidates.first(where: { $0.0 == load })?.1 else {
                if different[after.target] == nil {
                    differentOrder.append(after.target)
                    different[after.target] = DifferentLoad(
                        target: after.target,
                        old: candidates.map(\.0.description),
                        new: []
                    )
                }
                different[after.target]?.new.append(load.description)
                continue
            }
            lines += Self.lines(before: before, after: after, load: load.description, noiseFloor: noiseFloor)
        }
        // A target compared under some load is not one of different loads, even if a sweep ran
        // it under others too.
        let compared = Set(lines.map(\.target))
        self.lines = lines
        self.differentLoads = differentOrder.filter { !compared.contains($0) }.compactMap { different[$0] }
        let oldNames = Set(old.targets.map(\.target))
        let newNames = Set(new.targets.map(\.target))
        self.unmatched = oldNames.symmetricDifference(newNames).sorted()
    }

    private static func lines(before: TargetRuns, after: TargetRuns, load: String, noiseFloor: Double) -> [Line] {
        let old = before.median
        let new = after.median
        let metrics: [(String, Double, Double, Bool)] = [
            ("throughput", old.throughput, new.throughput, true),
            ("rowsPerSecond", old.rowsPerSecond, new.rowsPerSecond, true),
            ("p50", old.latency.p50, new.latency.p50, false),
            ("p90", old.latency.p90, new.latency.p90, false),
            ("p99", old.latency.p99, new.latency.p99, false),
            ("p999", old.latency.p999, new.latency.p999, false),
        ]
        var lines: [Line] = []
        for (metric, oldValue, newValue, higherIsBetter) in metrics where oldValue > 0 {
            if metric == "rowsPerSecond" && old.rowsPerSecond == old.throughput { continue }
            let change = (newValue - oldValue) / oldValue
            let noise = max(noiseFloor, old.spread[metric] ?? 0, new.spread[metric] ?? 0)
            let worse = higherIsBetter ? -change : change
            lines.append(
                Line(
                    target: after.target,
                    load: load,
                    metric: metric,
                    old: oldValue,
                    new: newValue,
                    change: change,
                    noise: noise,
                    regressed: worse > noise,
                    improved: -worse > noise
                )
            )
        }
        let oldShare = Self.failedShare(before)
        let newShare = Self.failedShare(after)
        let change = newShare - oldShare
        lines.append(
            Line(
                target: after.target,
                load: load,
                metric: "failed",
                old: oldShare,
                new: newShare,
                change: change,
                noise: Self.failedShareNoise,
                regressed: change > Self.failedShareNoise,
                improved: -change > Self.failedShareNoise
            )
        )
        return lines
    }

    /// The share of the calls due that failed, over every run.
    static func failedShare(_ runs: TargetRuns) -> Double {
        let sent = runs.runs.reduce(0) { $0 + $1.sent }
        return sent > 0 ? Double(runs.runs.reduce(0) { $0 + $1.failed }) / Double(sent) : 0
    }

    /// `1234.5` as `1,234.5`, `1000` as `1,000`.
    static func format(_ value: Double) -> String {
        let whole = Int(value.rounded(.down))
        let digits = String(whole)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        let fraction = value - Double(whole)
        return fraction == 0 ? grouped : grouped + String(String(format: "%.3g", fraction).dropFirst())
    }

    /// Whether any metric regressed.
    public var hasRegression: Bool { self.lines.contains(where: \.regressed) }
}
