public import Foundation

/// A results file: what ran, where and when, every run of every target, and each target's
/// medians (schema `churnbench/1`, documented in bench/README.md).
public struct LoadReport: Codable, Sendable {
    /// `churnbench/1`.
    public var schema: String
    /// The scenario's name and description.
    public var scenario: String
    public var description: String
    /// When the report was made (UTC, ISO 8601).
    public var date: String
    /// The machine: cores and CPU model.
    public var machine: Machine
    /// The git commit of the code under test, when known.
    public var commit: String?
    /// Each target's runs, in the order they ran.
    public var targets: [TargetRuns]

    /// The machine a report was made on.
    public struct Machine: Codable, Sendable, Hashable {
        public var cores: Int
        public var cpu: String

        /// This machine.
        public static func current() -> Machine {
            let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let model =
                info.split(separator: "\n").first { $0.hasPrefix("model name") }.map {
                    $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                } ?? "unknown"
            return Machine(cores: ProcessInfo.processInfo.activeProcessorCount, cpu: model)
        }
    }

    /// Makes a report of `targets` on this machine, dated now.
    public init(scenario: String, description: String, commit: String?, targets: [TargetRuns]) {
        self.schema = "churnbench/1"
        self.scenario = scenario
        self.description = description
        self.date = ISO8601DateFormatter().string(from: Date())
        self.machine = .current()
        self.commit = commit
        self.targets = targets
    }

    /// Reads a report.
    ///
    /// - Throws: ``LoadError`` when the file cannot be read or is not a churnbench report.
    public init(contentsOf path: String) throws(LoadError) {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            self = try JSONDecoder().decode(LoadReport.self, from: data)
        } catch {
            throw LoadError("\(path) is not a churnbench report: \(error)")
        }
        guard self.schema == "churnbench/1" else {
            throw LoadError("\(path) has schema '\(self.schema)'; this churnbench reads churnbench/1")
        }
    }

    /// The report as pretty-printed JSON with sorted keys (stable diffs).
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding plain numbers, strings and arrays cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }
}

/// The runs of one target, with medians over them.
public struct TargetRuns: Codable, Sendable {
    /// The target's name.
    public var target: String
    /// Every repetition.
    public var runs: [LoadResult]
    /// Medians over the runs (and their spread).
    public var median: MedianSummary

    /// Groups `runs` of one target.
    public init(target: String, runs: [LoadResult]) {
        self.target = target
        self.runs = runs
        self.median = MedianSummary(runs)
    }

    /// The run whose p99 is the median one (for plots).
    public var medianRun: LoadResult? {
        self.runs.sorted { $0.latency.p99 < $1.latency.p99 }.dropFirst(self.runs.count / 2).first
    }
}

/// Medians over repetitions, with the relative spread ((max − min) / median) of each, which
/// ``ReportComparison`` takes as the noise.
public struct MedianSummary: Codable, Sendable, Hashable {
    public var runs: Int
    public var targetRate: Double?
    public var achievedRate: Double
    public var scheduleHeld: Double
    public var throughput: Double
    public var rowsPerSecond: Double
    public var failed: Int
    public var latency: LatencySummary
    public var clientCPUPercent: Double
    public var serverCPUMicrosPerCall: Double?
    /// Relative spread per metric: `throughput`, `p50`, `p99`, …
    public var spread: [String: Double]

    init(_ runs: [LoadResult]) {
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }
        func spread(_ values: [Double]) -> Double {
            let middle = median(values)
            guard middle > 0, let low = values.min(), let high = values.max() else { return 0 }
            return (high - low) / middle
        }
        self.runs = runs.count
        self.targetRate = runs.first?.targetRate
        self.achievedRate = median(runs.map(\.achievedRate))
        self.scheduleHeld = median(runs.map(\.scheduleHeld))
        self.throughput = median(runs.map(\.throughput))
        self.rowsPerSecond = median(runs.map(\.rowsPerSecond))
        self.failed = runs.map(\.failed).reduce(0, +)
        let latencies = runs.map(\.latency)
        self.latency = LatencySummary(
            p50: median(latencies.map(\.p50)),
            p90: median(latencies.map(\.p90)),
            p99: median(latencies.map(\.p99)),
            p999: median(latencies.map(\.p999)),
            max: median(latencies.map(\.max)),
            mean: median(latencies.map(\.mean))
        )
        self.clientCPUPercent = median(runs.map(\.clientCPUPercent))
        let server = runs.compactMap(\.serverCPUMicrosPerCall)
        self.serverCPUMicrosPerCall = server.isEmpty ? nil : median(server)
        var spreads: [String: Double] = [
            "throughput": spread(runs.map(\.throughput)),
            "rowsPerSecond": spread(runs.map(\.rowsPerSecond)),
        ]
        for name in ["p50", "p90", "p99", "p999", "max", "mean"] {
            spreads[name] = spread(latencies.compactMap { $0[name] })
        }
        self.spread = spreads
    }
}
