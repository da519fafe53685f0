import ArgumentParser
import ChurnLoad
import ChurnTransport
import ChurnWire
import Foundation

/// `churnbench scorer-killed`: one of several scorers killed outright under open-loop load, then
/// started again on its port; what callers calling the scorers directly saw.
struct ScorerKilledCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorer-killed",
        abstract: "Kill one of several scorers (SIGKILL) under load, start it again, report what callers saw.",
        discussion: """
            Starts --scorers scorers with the same model and spreads open-loop unary calls \
            (features sent) over them evenly, as a caller without a coordinator does. --kill-after \
            seconds into the measured run, scorer 1 is killed with SIGKILL; --down seconds later it \
            is started again on the same port. Reports every call's end by scorer: failures by \
            code, the time from the kill until callers saw it and until scorer 1 answered again, \
            the calls to the other scorers that failed (none should), the slowest call against \
            the deadline (no call may hang), and a timeline around the outage. Writes \
            scorer-killed-DATE.{json,svg,md}. A coordinator would retry the killed scorer's calls \
            on a replica; this measures the direct path it would improve on.
            """
    )

    @Option(help: "Scorer processes (at least 2).")
    var scorers = 3

    @Option(help: "Arrival rate, calls per second (Poisson).")
    var rate = 2_000.0

    @Option(help: "Warm-up seconds (not measured).")
    var warmup = 2.0

    @Option(name: .customLong("kill-after"), help: "Seconds into the measured run when scorer 1 is killed.")
    var killAfter = 3.0

    @Option(help: "Seconds scorer 1 stays down before it is started again.")
    var down = 2.0

    @Option(help: "Seconds measured after the restart.")
    var after = 4.0

    @Option(name: .customLong("timeout-ms"), help: "Each call's deadline in milliseconds.")
    var timeoutMs = 2_000

    @Option(help: "The model the scorers serve (an artifact or LightGBM file); default the built-in demo model.")
    var model: String?

    @Option(help: "The churnguard executable; default the one beside churnbench.")
    var churnguard: String?

    @Option(help: "Folder for the results (JSON, SVG and a Markdown summary).")
    var out = "bench/results"

    @Option(help: "File name (without extension) of the results; default scorer-killed-DATE.")
    var label: String?

    func validate() throws {
        guard (2...64).contains(self.scorers) else { throw ValidationError("--scorers must be 2 to 64") }
        guard self.rate > 0, self.warmup >= 0, self.killAfter >= 1, self.down >= 0, self.after >= 1 else {
            throw ValidationError("need --rate > 0, --warmup ≥ 0, --kill-after ≥ 1, --down ≥ 0 and --after ≥ 1")
        }
        guard self.timeoutMs >= 10 else { throw ValidationError("--timeout-ms must be at least 10") }
    }

    func run() async throws {
        let churnguard = BenchEnvironment.churnguardPath(self.churnguard)
        print(try await BenchEnvironment.with { try await self.measure(churnguard: churnguard, environment: $0) })
    }

    private func measure(churnguard: String, environment: BenchEnvironment) async throws -> String {
        Terminal.progress("starting \(self.scorers) scorers…")
        var scorers: [LocalProcess] = []
        for number in 1...self.scorers {
            scorers.append(
                try await environment.startScorer(churnguard: churnguard, model: self.model, name: "scorer-\(number)")
            )
        }
        let connectionsEach = 2
        let connections = environment.connections(
            to: scorers.map { RPCConnection.Target(host: "127.0.0.1", port: $0.port) },
            countEach: connectionsEach
        )
        let model = try await environment.health(of: connections).model
        let timeline = CallTimeline(scorers: self.scorers, slots: self.scorers * connectionsEach)
        let target = timeline.recording(
            ScoreTarget(
                name: "churnguard unary ×\(self.scorers) scorers, scorer 1 killed",
                connections: connections,
                rows: FeatureRows.demo(count: 4_096),
                schemaHash: model.featureSchemaHash,
                timeout: .milliseconds(Int64(self.timeoutMs))
            )
        )
        let load = LoadRunConfiguration(
            mode: .open(ArrivalSchedule(rate: self.rate, process: .poisson(seed: 42))),
            duration: .milliseconds(Int64((self.killAfter + self.down + self.after) * 1_000)),
            warmup: .milliseconds(Int64(self.warmup * 1_000))
        )
        let start = ContinuousClock.now
        // The survivors' CPU only: the killed process's counters go with it.
        let survivors = scorers.dropFirst().map(\.pid)
        async let result = LoadRunner.run(target, load, serverProcesses: survivors)
        try await Task.sleep(until: start + .milliseconds(Int64((self.warmup + self.killAfter) * 1_000)))
        let killedAt = ContinuousClock.now
        scorers[0].kill()
        Terminal.progress("scorer 1 killed (SIGKILL); starting it again in \(self.down) s")
        try await Task.sleep(until: killedAt + .milliseconds(Int64(self.down * 1_000)))
        let restartedAt = ContinuousClock.now
        let restarted = try await environment.startScorer(
            churnguard: churnguard,
            model: self.model,
            name: "scorer-1-restarted",
            extraArguments: ["--port", "\(scorers[0].port)"]
        )
        let listeningAt = ContinuousClock.now
        guard restarted.port == scorers[0].port else {
            throw ValidationError("scorer 1 came back on port \(restarted.port), not \(scorers[0].port)")
        }
        Terminal.progress("scorer 1 listens again on port \(restarted.port)")
        let measured = await result
        await target.close()
        return try self.summarize(
            measured: measured,
            timeline: timeline,
            moments: (killedAt, restartedAt, listeningAt)
        )
    }

    private func summarize(
        measured: LoadResult,
        timeline: CallTimeline,
        moments: (
            killed: ContinuousClock.Instant, restarted: ContinuousClock.Instant, listening: ContinuousClock.Instant
        )
    ) throws -> String {
        let name = self.label ?? ReportOutput.datedName("scorer-killed")
        let report = LoadReport(
            scenario: "scorer-killed",
            description:
                "\(Int(self.rate)) calls/s over \(self.scorers) scorers; scorer 1 killed (SIGKILL) after \(self.killAfter) s, started again \(self.down) s later",
            commit: ReportOutput.gitCommit(),
            targets: [TargetRuns(target: measured.target, runs: [measured])]
        )
        let files = try ReportOutput.write(report, to: self.out, name: name)
        let events = timeline.recorded
        let killedScorer = events.filter { $0.scorer == 0 }
        let others = events.filter { $0.scorer != 0 }
        let firstFailure = killedScorer.first { $0.failure != nil && $0.at >= moments.killed }?.at
        let lastFailure = killedScorer.last { $0.failure != nil }?.at
        let backAt = killedScorer.first { $0.failure == nil && $0.at >= moments.restarted }?.at
        var failuresByCode: [String: Int] = [:]
        for event in killedScorer { if let code = event.failure { failuresByCode[code, default: 0] += 1 } }
        let othersFailed = others.filter { $0.failure != nil }.count
        func seconds(_ duration: Duration?) -> String {
            duration.map { String(format: "%.3f s", Double(LoadRunner.nanoseconds($0)) / 1e9) } ?? "never"
        }
        let deadlineMicros = Double(self.timeoutMs) * 1_000
        let accounted = measured.sent == measured.answered + measured.failed
        var lines = [
            "# A scorer killed under load, \(report.date)",
            "",
            "\(report.machine.cores) cores, \(report.machine.cpu); commit \(report.commit ?? "?"). \(report.description); "
                + "unary calls with features, Poisson arrivals, spread evenly over the scorers (2 connections each), "
                + "no coordinator; latency from the intended send time; deadline \(self.timeoutMs) ms.",
            "",
            "| calls sent | answered | failed | p50 | p99 | p99.9 | max |",
            "|---|---|---|---|---|---|---|",
            "| \(measured.sent) | \(measured.answered) | \(measured.failed)\(Self.codes(measured.failures)) "
                + "| \(ReportOutput.time(measured.latency.p50)) | \(ReportOutput.time(measured.latency.p99)) "
                + "| \(ReportOutput.time(measured.latency.p999)) | \(ReportOutput.time(measured.latency.max)) |",
            "",
            "(Measured calls only; the outage facts below count every call, warm-up included.)",
            "",
            "| | |",
            "|---|---|",
            "| from the kill to the first failed call | \(seconds(firstFailure.map { $0 - moments.killed })) |",
            "| from the kill to scorer 1's first answer after it | \(seconds(backAt.map { $0 - moments.killed })) |",
            "| from its restart to that answer (process start, listen, callers' reconnection) | \(seconds(backAt.map { $0 - moments.restarted })) |",
            "| last failed call of scorer 1, after the kill | \(seconds(lastFailure.map { $0 - moments.killed })) |",
            "| scorer 1's calls failed, by code | \(failuresByCode.isEmpty ? "none" : Self.codes(failuresByCode)) |",
            "| calls to the other scorers failed | \(othersFailed) of \(others.count) |",
            "",
            "Around the outage, 250 ms at a time (seconds from the kill; answered / failed per scorer):",
            "",
            "| t | " + (1...self.scorers).map { "scorer \($0)" }.joined(separator: " | ") + " |",
            "|---|" + String(repeating: "---|", count: self.scorers),
        ]
        let from = moments.killed - .milliseconds(500)
        let until = (backAt ?? moments.listening) + .milliseconds(750)
        var bucketStart = from
        while bucketStart < until {
            let bucketEnd = bucketStart + .milliseconds(250)
            let inBucket = events.filter { $0.at >= bucketStart && $0.at < bucketEnd }
            let cells = (0..<self.scorers).map { scorer in
                let mine = inBucket.filter { $0.scorer == scorer }
                let failed = mine.filter { $0.failure != nil }.count
                return "\(mine.count - failed) / \(failed)"
            }
            let offset = Double(LoadRunner.nanoseconds(bucketStart - moments.killed)) / 1e9
            lines.append("| \(String(format: "%+.2f", offset)) | " + cells.joined(separator: " | ") + " |")
            bucketStart = bucketEnd
        }
        let typed = Set(failuresByCode.keys).isSubset(of: ["UNAVAILABLE", "DEADLINE_EXCEEDED"])
        lines += [
            "",
            "Checks:",
            "- every call answered or failed with a code (sent = answered + failed): \(accounted ? "yes" : "**no**")",
            "- no call outlived its deadline (max \(ReportOutput.time(measured.latency.max)) against \(self.timeoutMs) ms): "
                + "\(measured.latency.max <= deadlineMicros * 1.05 ? "yes" : "**no**")",
            "- the killed scorer's calls failed as UNAVAILABLE or DEADLINE_EXCEEDED only: \(typed ? "yes" : "**no**")",
            "- no call to the other scorers failed: \(othersFailed == 0 ? "yes" : "**no** (\(othersFailed))")",
            "- scorer 1 answered again once it listened: \(backAt != nil ? "yes" : "**no**")",
            "",
            "Without a coordinator every call routed to the killed scorer fails until it is back; the coordinator "
                + "(not built yet) is to retry them on a replica, and this scenario is the baseline it must beat.",
            "",
            "Result: \(files.json), plot \(files.svg).",
        ]
        let text = lines.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(self.out)/\(name).md"))
        return text
    }

    /// Failure counts as ` CODE n, CODE n` (empty for none).
    private static func codes(_ failures: [String: Int]) -> String {
        failures.sorted { $0.key < $1.key }.map { " \($0.key) \($0.value)" }.joined(separator: ",")
    }
}
