public import Histogram

/// The percentiles a report states, in microseconds.
public struct LatencySummary: Codable, Sendable, Hashable {
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var mean: Double

    /// Makes a summary from its values (microseconds).
    public init(p50: Double, p90: Double, p99: Double, p999: Double, max: Double, mean: Double) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.mean = mean
    }

    /// Reads a histogram of nanoseconds; all zeros when it is empty.
    public init(nanoseconds histogram: Histogram<UInt64>) {
        guard histogram.totalCount > 0 else {
            self.init(p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0)
            return
        }
        func micro(_ percentile: Double) -> Double {
            Double(histogram.valueAtPercentile(percentile)) / 1_000
        }
        self.init(
            p50: micro(50),
            p90: micro(90),
            p99: micro(99),
            p999: micro(99.9),
            max: Double(histogram.max) / 1_000,
            mean: histogram.mean / 1_000
        )
    }

    /// The value named `p50`, `p90`, `p99`, `p999`, `max` or `mean`.
    public subscript(name: String) -> Double? {
        switch name {
        case "p50": self.p50
        case "p90": self.p90
        case "p99": self.p99
        case "p999": self.p999
        case "max": self.max
        case "mean": self.mean
        default: nil
        }
    }
}

/// One point of a percentile distribution: the latency (µs) at or below which `percentile` % of
/// the calls were answered.
public struct PercentilePoint: Codable, Sendable, Hashable {
    public var percentile: Double
    public var micros: Double

    /// Makes a point.
    public init(percentile: Double, micros: Double) {
        self.percentile = percentile
        self.micros = micros
    }

    /// The distribution of a histogram of nanoseconds, five points per halving of the distance
    /// to 100 % (HdrHistogram's usual plot), ending at its maximum.
    public static func distribution(of histogram: Histogram<UInt64>) -> [PercentilePoint] {
        guard histogram.totalCount > 0 else { return [] }
        var points: [PercentilePoint] = []
        for step in histogram.percentiles(ticksPerHalfDistance: 5) {
            let point = PercentilePoint(percentile: step.percentile, micros: Double(step.value) / 1_000)
            if let last = points.last, last.percentile == point.percentile { continue }
            points.append(point)
            if step.percentile >= 100 { break }
        }
        return points
    }
}
