import ArgumentParser
import ChurnLoad
import Foundation

/// `churnbench merge`: one result of several (such as ChurnGuard's and the gRPC peer's, which
/// its own load generator wrote), with one plot.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge results into one (targets in the order given) with one plot and table."
    )

    @Argument(help: "Results (JSON) to merge.")
    var results: [String]

    @Option(help: "The merged result's scenario name.")
    var name: String

    @Option(help: "One line saying what the merged result shows.")
    var describe: String = ""

    @Option(help: "Folder for the merged JSON and SVG.")
    var out = "bench/results"

    func run() throws {
        guard self.results.count >= 2 else { throw ValidationError("give two or more results to merge") }
        var reports: [LoadReport] = []
        for path in self.results { reports.append(try LoadReport(contentsOf: path)) }
        let report = LoadReport(
            scenario: self.name,
            description: self.describe.isEmpty ? reports.map(\.description).joined(separator: "; ") : self.describe,
            commit: reports.first?.commit,
            targets: reports.flatMap(\.targets)
        )
        let files = try ReportOutput.write(report, to: self.out, name: self.name)
        print(ReportOutput.table(report))
        print("\nwrote \(files.json) and \(files.svg)")
    }
}
