import ArgumentParser
import ChurnLoad
import Foundation

/// `churnbench compare OLD NEW`: what changed, and whether any of it is a regression beyond noise.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two results target by target; exit 1 when something regressed beyond noise.",
        discussion: """
            Noise for a metric is the larger of the two results' spreads over their repetitions \
            ((max − min) / median) and --noise-floor. Throughput falling or latency rising by more \
            than that is flagged REGRESSED; the opposite, improved.
            """
    )

    @Argument(help: "The earlier result (JSON).")
    var old: String

    @Argument(help: "The later result (JSON).")
    var new: String

    @Option(help: "The least relative change counted as more than noise (0.05 = 5 %).")
    var noiseFloor = 0.05

    func run() throws {
        let comparison = ReportComparison(
            old: try LoadReport(contentsOf: self.old),
            new: try LoadReport(contentsOf: self.new),
            noiseFloor: self.noiseFloor
        )
        print("| target | metric | old | new | change | noise | verdict |")
        print("|---|---|---|---|---|---|---|")
        for line in comparison.lines {
            let isRate = line.metric == "throughput" || line.metric == "rowsPerSecond"
            func show(_ value: Double) -> String {
                isRate ? ReportOutput.count(value) + "/s" : ReportOutput.time(value)
            }
            let verdict = line.regressed ? "REGRESSED" : line.improved ? "improved" : "within noise"
            print(
                "| \(line.target) | \(line.metric) | \(show(line.old)) | \(show(line.new)) | "
                    + String(format: "%+.1f %%", line.change * 100) + " | "
                    + String(format: "±%.1f %%", line.noise * 100) + " | \(verdict) |"
            )
        }
        if !comparison.unmatched.isEmpty {
            print("\nIn only one of the results: \(comparison.unmatched.joined(separator: ", "))")
        }
        if comparison.lines.isEmpty { throw ValidationError("the results share no target to compare") }
        if comparison.hasRegression { throw ExitCode(1) }
    }
}
