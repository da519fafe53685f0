import ChurnLoad
import Foundation

/// Writes a report as JSON plus its SVG plot, and prints it as a table.
enum ReportOutput {
    /// Writes `OUT/NAME.json` and `OUT/NAME.svg`; returns their paths.
    static func write(_ report: LoadReport, to directory: String, name: String) throws -> (json: String, svg: String) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let json = "\(directory)/\(name).json"
        let svg = "\(directory)/\(name).svg"
        try report.json().write(to: URL(fileURLWithPath: json))
        let series = report.targets.compactMap { runs in
            runs.medianRun.map { (name: Self.seriesName(runs), points: $0.distribution) }
        }
        let title = "\(report.scenario): latency by percentile (median run of each target)"
        try Data(PercentilePlot.svg(title: title, series: series).utf8).write(to: URL(fileURLWithPath: svg))
        return (json, svg)
    }

    private static func seriesName(_ runs: TargetRuns) -> String {
        if let rate = runs.median.targetRate { return "\(runs.target) @ \(Self.count(rate))/s" }
        return runs.target
    }

    /// The report as a Markdown table of medians.
    static func table(_ report: LoadReport) -> String {
        var lines = [
            "| target | rate asked → sent | answered/s | rows/s | p50 | p90 | p99 | p99.9 | max | failed | client CPU | server CPU/call |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for runs in report.targets {
            let median = runs.median
            let rate =
                median.targetRate.map { "\(Self.count($0)) → \(Self.count(median.achievedRate))" } ?? "closed loop"
            let latency = median.latency
            lines.append(
                "| \(runs.target) | \(rate) | \(Self.count(median.throughput)) | \(Self.count(median.rowsPerSecond)) "
                    + "| \(Self.time(latency.p50)) | \(Self.time(latency.p90)) | \(Self.time(latency.p99)) "
                    + "| \(Self.time(latency.p999)) | \(Self.time(latency.max)) | \(Self.failures(runs)) "
                    + "| \(String(format: "%.0f", median.clientCPUPercent)) % "
                    + "| \(median.serverCPUMicrosPerCall.map { String(format: "%.1f µs", $0) } ?? "-") |"
            )
        }
        let examples = report.targets.flatMap { runs in
            Self.failureExamples(runs).map { "- \(runs.target), \($0.code): \($0.message)" }
        }
        if !examples.isEmpty {
            lines.append("")
            lines.append("First message of each failure code:")
            lines.append(contentsOf: examples)
        }
        return lines.joined(separator: "\n")
    }

    /// The first message recorded for each failure code over a target's runs, by code.
    private static func failureExamples(_ runs: TargetRuns) -> [(code: String, message: String)] {
        var examples: [String: String] = [:]
        for run in runs.runs {
            examples.merge(run.failureExamples ?? [:]) { first, _ in first }
        }
        return examples.sorted { $0.key < $1.key }.map { (code: $0.key, message: $0.value) }
    }

    private static func failures(_ runs: TargetRuns) -> String {
        var byCode: [String: Int] = [:]
        for run in runs.runs { byCode.merge(run.failures, uniquingKeysWith: +) }
        if byCode.isEmpty { return "0" }
        return byCode.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    /// 12,345 or 1.2k-free: whole numbers with thousands separators.
    static func count(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = value < 10 ? 1 : 0
        formatter.locale = Locale(identifier: "en_US")
        return formatter.string(from: NSNumber(value: value)) ?? "\(value)"
    }

    /// Microseconds in the unit that reads best.
    static func time(_ micros: Double) -> String {
        switch micros {
        case ..<1_000: String(format: "%.0f µs", micros)
        case ..<100_000: String(format: "%.2f ms", micros / 1_000)
        default: String(format: "%.0f ms", micros / 1_000)
        }
    }

    /// The commit of the working tree, when churnbench runs inside the repository.
    static func gitCommit() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "--short", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `NAME-YYYY-MM-DD`.
    static func datedName(_ name: String) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return "\(name)-\(formatter.string(from: Date()))"
    }
}
