/// Compares two reports target by target and flags what got worse beyond noise.
///
/// A metric has regressed when it moved the wrong way (throughput down, latency up) by more
/// than the noise: the larger of the two reports' spreads over their repetitions and a floor
/// (default 5 %), since a single run's spread understates the machine's noise.
public struct ReportComparison: Sendable {
    /// One metric of one target in both reports.
    public struct Line: Sendable, Hashable {
        public var target: String
        public var metric: String
        public var old: Double
        public var new: Double
        /// (new − old) / old.
        public var change: Double
        /// The relative change that counts as noise for this metric.
        public var noise: Double
        /// Whether it moved the wrong way by more than the noise.
        public var regressed: Bool
        /// Whether it moved the right way by more than the noise.
        public var improved: Bool
    }

    public var lines: [Line]
    /// Targets only one of the reports has.
    public var unmatched: [String]

    /// Compares `old` with `new`.
    public init(old: LoadReport, new: LoadReport, noiseFloor: Double = 0.05) {
        var lines: [Line] = []
        let oldTargets = Dictionary(old.targets.map { ($0.target, $0.median) }, uniquingKeysWith: { first, _ in first })
        let newTargets = Dictionary(new.targets.map { ($0.target, $0.median) }, uniquingKeysWith: { first, _ in first })
        for target in new.targets.map(\.target) {
            guard let before = oldTargets[target], let after = newTargets[target] else { continue }
            let metrics: [(String, Double, Double, Bool)] = [
                ("throughput", before.throughput, after.throughput, true),
                ("rowsPerSecond", before.rowsPerSecond, after.rowsPerSecond, true),
                ("p50", before.latency.p50, after.latency.p50, false),
                ("p90", before.latency.p90, after.latency.p90, false),
                ("p99", before.latency.p99, after.latency.p99, false),
                ("p999", before.latency.p999, after.latency.p999, false),
            ]
            for (metric, oldValue, newValue, higherIsBetter) in metrics where oldValue > 0 {
                if metric == "rowsPerSecond" && before.rowsPerSecond == before.throughput { continue }
                let change = (newValue - oldValue) / oldValue
                let noise = max(noiseFloor, before.spread[metric] ?? 0, after.spread[metric] ?? 0)
                let worse = higherIsBetter ? -change : change
                lines.append(
                    Line(
                        target: target,
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
        }
        self.lines = lines
        let oldNames = Set(oldTargets.keys)
        let newNames = Set(newTargets.keys)
        self.unmatched = oldNames.symmetricDifference(newNames).sorted()
    }

    /// Whether any metric regressed.
    public var hasRegression: Bool { self.lines.contains(where: \.regressed) }
}
