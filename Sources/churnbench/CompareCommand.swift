import ArgumentParser
import ChurnLoad
import Foundation

/// `churnbench compare OLD NEW`: what changed, and whether any of it is a regression beyond noise.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two results target by target; exit 1 when something regressed beyond noise.",
        discussion: """
            Runs are compared only under the same load (mode, arrival rate and process, or callers): \
            a target run at other rates only is listed as not compared, and a sweep's steps match \
            rate by rate. Noise for a metric is the larger of the two results' spreads over their \
            repetitions ((max − min) / median) and --noise-floor. Throughput falling or latency rising \
            by more than that is flagged REGRESSED, and so is the share of calls that failed rising \
            by more than 0.1 percentage points; the opposite, improved.
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
        print("| target | load | metric | old | new | change | noise | verdict |")
        print("|---|---|---|---|---|---|---|---|")
        for line in comparison.lines {
            let verdict = line.regressed ? "REGRESSED" : line.improved ? "improved" : "within noise"
            let values: (old: String, new: String, change: String, noise: String)
            switch line.metric {
            case "failed":
                // A share of calls: its change is in percentage points.
                values = (
                    String(format: "%.2f %%", line.old * 100), String(format: "%.2f %%", line.new * 100),
                    String(format: "%+.2f pp", line.change * 100), String(format: "±%.2f pp", line.noise * 100)
                )
            case "throughput", "rowsPerSecond":
                values = (
                    ReportOutput.count(line.old) + "/s", ReportOutput.count(line.new) + "/s",
                    String(format: "%+.1f %%", line.change * 100), String(format: "±%.1f %%", line.noise * 100)
                )
            default:
                values = (
                    ReportOutput.time(line.old), ReportOutput.time(line.new),
                    String(format: "%+.1f %%", line.change * 100), String(format: "±%.1f %%", line.noise * 100)
                )
            }
            print(
                "| \(line.target) | \(line.load) | \(line.metric) | \(values.old) | \(values.new) | \(values.change) | "
                    + "\(values.noise) | \(verdict) |"
            )
        }
        for different in comparison.differentLoads {
            print(
                "\nNot compared, \(different.target): run under other loads (old: "
                    + "\(different.old.joined(separator: "; ")); new: \(different.new.joined(separator: "; ")))"
            )
        }
        if !comparison.unmatched.isEmpty {
            print("\nIn only one of the results: \(comparison.unmatched.joined(separator: ", "))")
        }
        if comparison.lines.isEmpty {
            throw ValidationError("the results share no target run under the same load to compare")
        }
        if comparison.hasRegression { throw ExitCode(1) }
    }
}
