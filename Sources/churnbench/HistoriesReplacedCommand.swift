import ArgumentParser
import ChurnLoad
import ChurnTransport
import ChurnWire
import Foundation

/// `churnbench histories-replaced`: every stored history replaced (`demo-data --to-database`)
/// while a scorer serves calls by CRM number from them; what the replace and the scorer's reload
/// cost the calls.
struct HistoriesReplacedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "histories-replaced",
        abstract: "Replace every stored history under load on a scorer that holds them; report what calls saw.",
        discussion: """
            Stores --companies demo companies in a private PostgreSQL, starts a scorer holding \
            their histories, and scores them by CRM number alone at --rate calls/s (open loop). \
            --replace-after seconds into the measured run it stores the same histories again \
            (`churnguard demo-data --to-database`, the same seed: every answer stays valid), \
            which the running scorer loads again without a restart. Reports failed calls (none \
            should fail), how long the replace ran and how long after its commit the scorer had \
            loaded it, and p50/p99/max of the calls (from their dispatch) before, while the \
            replace ran, while the scorer reloaded, and after. Writes \
            histories-replaced-DATE.{json,svg,md}.
            """
    )

    @Option(help: "Demo companies stored (about 1.5 customers each).")
    var companies = 10_000

    @Option(help: "Arrival rate, calls per second (Poisson).")
    var rate = 1_000.0

    @Option(help: "Warm-up seconds (not measured).")
    var warmup = 2.0

    @Option(name: .customLong("replace-after"), help: "Seconds into the measured run when the replace starts.")
    var replaceAfter = 3.0

    @Option(help: "Seconds measured in all (the replace and reload must end within them).")
    var duration = 20.0

    @Option(help: "The churnguard executable; default the one beside churnbench.")
    var churnguard: String?

    @Option(help: "Folder for the results (JSON, SVG and a Markdown summary).")
    var out = "bench/results"

    @Option(help: "File name (without extension) of the results; default histories-replaced-DATE.")
    var label: String?

    func validate() throws {
        guard (1...1_000_000).contains(self.companies), self.rate > 0, self.warmup >= 0, self.replaceAfter >= 1,
            self.duration > self.replaceAfter + 1
        else {
            throw ValidationError(
                "need 1 to 1,000,000 --companies, --rate > 0, --warmup ≥ 0, --replace-after ≥ 1 and --duration above it"
            )
        }
    }

    func run() async throws {
        let churnguard = BenchEnvironment.churnguardPath(self.churnguard)
        print(try await BenchEnvironment.with { try await self.measure(churnguard: churnguard, environment: $0) })
    }

    private func measure(churnguard: String, environment: BenchEnvironment) async throws -> String {
        let url = try environment.privateDatabase(churnguard: churnguard)
        let history = environment.workDirectory + "/history.csv"
        let store = [
            "demo-data", "--companies", "\(self.companies)", "--to-database", "--database-url", url, "--history",
            history,
        ]
        Terminal.progress("storing the histories of \(self.companies) demo companies…")
        _ = try environment.runChurnguard(churnguard, store)
        let customers = try RunCommand.customers(inHistory: history)
        let scorer = try await environment.startScorer(
            churnguard: churnguard,
            model: nil,
            extraArguments: [
                "--customers-from-database", "--database-url", url, "--scoring-day", "latest-activity",
                "--log-level", "info",
            ]
        )
        let connections = environment.connections(to: .init(host: "127.0.0.1", port: scorer.port), count: 2)
        let model = try await environment.health(of: connections).model
        let timeline = CallTimeline(scorers: 1, slots: 2)
        let target = timeline.recording(
            ScoreTarget(
                name: "churnguard unary by CRM, histories replaced",
                connections: connections,
                rows: FeatureRows.demo(count: 1),
                schemaHash: model.featureSchemaHash,
                customers: customers
            )
        )
        let load = LoadRunConfiguration(
            mode: .open(ArrivalSchedule(rate: self.rate, process: .poisson(seed: 42))),
            duration: .milliseconds(Int64(self.duration * 1_000)),
            warmup: .milliseconds(Int64(self.warmup * 1_000))
        )
        let start = ContinuousClock.now
        async let result = LoadRunner.run(target, load, serverProcesses: [scorer.pid])
        try await Task.sleep(until: start + .milliseconds(Int64((self.warmup + self.replaceAfter) * 1_000)))
        Terminal.progress("replacing every history (the same ones) under load…")
        let replaceStarted = ContinuousClock.now
        let replaced = try await Task.detached { try environment.runChurnguard(churnguard, store) }.value
        let replaceEnded = ContinuousClock.now
        guard replaced.contains("running scorers load them now") else {
            throw LoadError("demo-data did not report a replace running scorers load: \(replaced)")
        }
        var reloadedAt: ContinuousClock.Instant?
        while reloadedAt == nil, ContinuousClock.now < start + load.warmup + load.duration {
            let log = (try? String(contentsOfFile: scorer.logPath, encoding: .utf8)) ?? ""
            if log.contains("every history was replaced") {
                reloadedAt = .now
            } else {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        guard let reloadedAt else { throw LoadError("the scorer did not log a reload within the run") }
        Terminal.progress("the scorer loaded the new histories")
        let measured = await result
        await target.close()
        return try self.summarize(
            measured: measured,
            timeline: timeline,
            moments: (
                start + load.warmup, replaceStarted, replaceEnded, reloadedAt, start + load.warmup + load.duration
            )
        )
    }

    private func summarize(
        measured: LoadResult,
        timeline: CallTimeline,
        moments: (
            measuring: ContinuousClock.Instant, replaceStarted: ContinuousClock.Instant,
            replaceEnded: ContinuousClock.Instant, reloaded: ContinuousClock.Instant, end: ContinuousClock.Instant
        )
    ) throws -> String {
        let name = self.label ?? ReportOutput.datedName("histories-replaced")
        let report = LoadReport(
            scenario: "histories-replaced",
            description:
                "\(Int(self.rate)) calls/s by CRM number on one scorer holding \(self.companies) demo companies' histories, all replaced after \(self.replaceAfter) s",
            commit: ReportOutput.gitCommit(),
            targets: [TargetRuns(target: measured.target, runs: [measured])]
        )
        let files = try ReportOutput.write(report, to: self.out, name: name)
        let events = timeline.recorded.filter { $0.at >= moments.measuring }
        func seconds(_ duration: Duration) -> String {
            String(format: "%.3f s", Double(LoadRunner.nanoseconds(duration)) / 1e9)
        }
        func row(_ label: String, _ range: Range<ContinuousClock.Instant>) -> String {
            let inside = events.filter { range.contains($0.at) }
            let took = inside.map { Double(LoadRunner.nanoseconds($0.took)) / 1_000 }.sorted()
            func quantile(_ q: Double) -> String {
                took.isEmpty ? "-" : ReportOutput.time(took[min(took.count - 1, Int(Double(took.count) * q))])
            }
            let failed = inside.filter { $0.failure != nil }.count
            return "| \(label) | \(seconds(range.upperBound - range.lowerBound)) | \(inside.count) | \(failed) "
                + "| \(quantile(0.5)) | \(quantile(0.99)) | \(took.last.map(ReportOutput.time) ?? "-") |"
        }
        let settled = min(moments.reloaded + .seconds(1), moments.end)
        let failures = measured.failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        let lines = [
            "# Every history replaced under load, \(report.date)",
            "",
            "\(report.machine.cores) cores, \(report.machine.cpu); commit \(report.commit ?? "?"). \(report.description) "
                + "(`demo-data --to-database`, the same seed, so every answer stays valid); Poisson arrivals.",
            "",
            "| calls sent | answered | failed | p50 | p99 | p99.9 | max |",
            "|---|---|---|---|---|---|---|",
            "| \(measured.sent) | \(measured.answered) | \(measured.failed)\(failures.isEmpty ? "" : " " + failures.joined(separator: ", ")) "
                + "| \(ReportOutput.time(measured.latency.p50)) | \(ReportOutput.time(measured.latency.p99)) "
                + "| \(ReportOutput.time(measured.latency.p999)) | \(ReportOutput.time(measured.latency.max)) |",
            "",
            "(Latency from the intended send time, all measured calls.) The replace ran \(seconds(moments.replaceEnded - moments.replaceStarted)) "
                + "(generating the data and storing it in one transaction); the scorer had loaded it "
                + "\(seconds(moments.reloaded - moments.replaceEnded)) after `demo-data` exited (its log, polled every 10 ms).",
            "",
            "Calls by when they ended, each from its dispatch:",
            "",
            "| window | length | calls | failed | p50 | p99 | max |",
            "|---|---|---|---|---|---|---|",
            row("before the replace", moments.measuring..<moments.replaceStarted),
            row("while the replace ran", moments.replaceStarted..<moments.replaceEnded),
            row("while the scorer reloaded", moments.replaceEnded..<moments.reloaded),
            row("the second after", moments.reloaded..<settled),
            row("after that", settled..<moments.end),
            "",
            "Result: \(files.json), plot \(files.svg).",
        ]
        let text = lines.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(self.out)/\(name).md"))
        return text
    }
}
