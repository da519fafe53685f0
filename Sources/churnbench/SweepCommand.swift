import ArgumentParser
import ChurnLoad
import Foundation

/// `churnbench sweep`: the highest open-loop rate whose p99 stays under a bound.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Find the highest arrival rate whose p99 stays under a bound (with no failures and the rate held).",
        discussion: """
            Rates rise by --factor from --from until a run misses: p99 over the bound, more than \
            0.1 % failed, or under 98 % of the calls due sent on time. Then the gap between the last good \
            and the first missed rate is halved --refine times. One run per rate (the scenario's \
            repetitions are ignored); every step is in the report.
            """
    )

    @Argument(help: "A scenario file (its kind, connections and timeout are used).")
    var scenario: String

    @Option(help: "The p99 bound in milliseconds.")
    var p99BoundMs: Double

    @Option(help: "The first rate (calls/s).")
    var from = 1_000.0

    @Option(help: "The largest rate tried.")
    var to = 1_000_000.0

    @Option(help: "How much each step raises the rate.")
    var factor = 1.5

    @Option(help: "Halvings of the gap between the last good and first missed rate.")
    var refine = 3

    @Option(help: "Which target to sweep: churnguard, floor, sdk (ChurnClient) or fastapi (which needs --fastapi).")
    var sweepTarget = "churnguard"

    @OptionGroup var target: TargetOptions
    @OptionGroup var load: LoadOptions

    @Option(help: "Folder for the JSON result and SVG plot.")
    var out = "bench/results"

    @Option(help: "File name (without extension) of the result; default SCENARIO-sweep-DATE.")
    var label: String?

    func validate() throws {
        guard self.p99BoundMs > 0, self.from > 0, self.to >= self.from, self.factor > 1, self.refine >= 0 else {
            throw ValidationError("need --p99-bound-ms > 0, 0 < --from ≤ --to, --factor > 1 and --refine ≥ 0")
        }
        guard ["churnguard", "floor", "sdk", "fastapi"].contains(self.sweepTarget) else {
            throw ValidationError("--sweep-target is churnguard, floor, sdk or fastapi, not '\(self.sweepTarget)'")
        }
        guard self.load.rate == nil, self.load.concurrency == nil else {
            throw ValidationError(
                "a sweep sets its own rates (--from, --to, --factor): leave out --rate and --concurrency"
            )
        }
    }

    func run() async throws {
        var base = try self.load.apply(to: try Scenario(contentsOf: self.scenario))
        base.repetitions = 1
        var options = self.target
        options.floor = self.sweepTarget == "floor"
        options.sdk = self.sweepTarget == "sdk"
        let environment = try BenchEnvironment()
        do {
            let entries = try await RunCommand.entries(for: base, options: options, environment: environment)
            let wanted: String
            switch self.sweepTarget {
            case "churnguard": wanted = "churnguard"
            case "floor": wanted = "transport floor"
            case "sdk": wanted = "churnclient"
            case "fastapi": wanted = "fastapi"
            default: throw ValidationError("--sweep-target is churnguard, floor, sdk or fastapi")
            }
            guard let entry = entries.first(where: { $0.target.name.hasPrefix(wanted) }) else {
                throw ValidationError("no \(wanted) target: give --fastapi for the FastAPI peer")
            }
            let sweep = RateSweep(
                p99BoundMicros: self.p99BoundMs * 1_000,
                from: self.from,
                to: self.to,
                factor: self.factor,
                refine: self.refine
            )
            let quiet = self.load.quiet
            let outcome = await sweep.run(entry.target, base: base, serverProcesses: entry.serverProcesses) {
                result,
                held in
                guard !quiet else { return }
                Terminal.progress(
                    "\(ReportOutput.count(result.targetRate ?? 0))/s: p99 \(ReportOutput.time(result.latency.p99)), sent \(ReportOutput.count(result.achievedRate))/s, \(result.failed) failed → \(held ? "holds" : "misses")"
                )
            }
            for entry in entries { await entry.target.close() }
            await environment.shutdown()
            let report = LoadReport(
                scenario: "\(base.name)-sweep",
                description: "\(base.description); sweep for p99 ≤ \(self.p99BoundMs) ms",
                commit: ReportOutput.gitCommit(),
                targets: outcome.steps.map { TargetRuns(target: $0.target, runs: [$0]) }
            )
            let files = try ReportOutput.write(
                report,
                to: self.out,
                name: self.label ?? ReportOutput.datedName("\(base.name)-sweep")
            )
            print(ReportOutput.table(report))
            if let good = outcome.best, let rate = good.targetRate {
                print(
                    "\nHighest rate with p99 ≤ \(self.p99BoundMs) ms: \(ReportOutput.count(rate)) calls/s (p99 \(ReportOutput.time(good.latency.p99)))"
                )
            } else {
                print("\nNo rate from \(ReportOutput.count(self.from)) calls/s up held p99 ≤ \(self.p99BoundMs) ms.")
            }
            print("wrote \(files.json) and \(files.svg)")
        } catch {
            await environment.shutdown()
            throw error
        }
    }
}
