import ArgumentParser
import ChurnLoad
import ChurnRegistry
import ChurnTransport
import ChurnWire
import Foundation
import Logging
import PostgresNIO

/// `churnbench hot-swap`: three promotions and a rollback through the registry while several
/// scorers serve open-loop load.
struct HotSwapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hot-swap",
        abstract: "Promote three versions and roll one back through the registry under load on several scorers.",
        discussion: """
            Publishes the --model artifacts (one name, one feature schema) as consecutive versions, \
            serves the first on --scorers scorers from the registry, then under open-loop load \
            promotes the second, third and fourth and rolls back, --interval seconds apart. It \
            reports failed calls, answers naming a version that was not live, the time from each \
            commit until every scorer answered with the new version, p99 inside the swap windows \
            (1 s after a change) against outside them, and each scorer's resident memory: steady, \
            peak during the swaps, and at the end (an old model not freed would stay). Uses \
            $CHURNGUARD_DATABASE_URL or --database-url, else starts a private PostgreSQL.
            """
    )

    @Option(
        help: "Four artifacts of one model name and feature schema, comma-separated (bench/hot-swap-run makes them)."
    )
    var models: String

    @Option(help: "Scorer processes.")
    var scorers = 3

    @Option(help: "Arrival rate, calls per second (Poisson).")
    var rate = 2_000.0

    @Option(help: "Seconds between registry changes.")
    var interval = 3.0

    @Option(help: "Warm-up seconds before the first change.")
    var warmup = 3.0

    @Option(
        name: .customLong("database-url"),
        help: "The registry's database (default $CHURNGUARD_DATABASE_URL, else a private one)."
    )
    var databaseURL: String?

    @Option(help: "The churnguard executable; default the one beside churnbench.")
    var churnguard: String?

    @Option(help: "Folder for the results (JSON, SVG and a Markdown summary).")
    var out = "bench/results"

    @Option(help: "File name (without extension) of the results; default hot-swap-scorers-DATE.")
    var label: String?

    func validate() throws {
        guard self.models.split(separator: ",").count == 4 else {
            throw ValidationError("--models takes four artifacts, comma-separated")
        }
        guard (1...64).contains(self.scorers), self.rate > 0, self.interval >= 1, self.warmup >= 1 else {
            throw ValidationError("need 1 to 64 --scorers, --rate > 0, --interval ≥ 1 and --warmup ≥ 1")
        }
    }

    func run() async throws {
        let churnguard = BenchEnvironment.churnguardPath(self.churnguard)
        let report = try await BenchEnvironment.with { environment in
            let url = try environment.database(churnguard: churnguard, given: self.databaseURL)
            setenv("CHURNGUARD_DATABASE_URL", url, 1)
            return try await self.measure(url: try DatabaseURL(url), churnguard: churnguard, environment: environment)
        }
        print(report)
    }

    private func measure(url: DatabaseURL, churnguard: String, environment: BenchEnvironment) async throws -> String {
        var logger = Logger(label: "churnbench.registry")
        logger.logLevel = .error
        let client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let registry = ModelRegistry(client: client, logger: logger)
            var versions: [ModelVersionRecord] = []
            var modelBytes = 0
            for path in self.models.split(separator: ",").map(String.init) {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
                modelBytes = max(modelBytes, bytes.count)
                versions.append(
                    try await registry.publish(artifactFile: bytes, actor: "churnbench", notes: "hot-swap run")
                )
            }
            let name = versions[0].name
            guard versions.allSatisfy({ $0.name == name && $0.schemaHash == versions[0].schemaHash }) else {
                throw ValidationError("the four artifacts must share one model name and feature schema")
            }
            _ = try await registry.promote(
                name: name,
                version: versions[0].version,
                to: .production,
                actor: "churnbench"
            )
            Terminal.progress(
                "published \(name) v\(versions.map { String($0.version) }.joined(separator: ", v")); starting \(self.scorers) scorers…"
            )
            var ports: [Int] = []
            var pids: [Int32] = []
            for number in 1...self.scorers {
                let scorer = try await environment.startScorer(
                    churnguard: churnguard,
                    model: nil,
                    name: "scorer-\(number)",
                    extraArguments: [
                        "--registry-model", name, "--cache-dir", "\(environment.workDirectory)/cache-\(number)",
                    ]
                )
                ports.append(scorer.port)
                pids.append(scorer.pid)
            }
            let connectionsEach = 2
            let connections = environment.connections(
                to: ports.map { RPCConnection.Target(host: "127.0.0.1", port: $0) },
                countEach: connectionsEach
            )
            for slot in 0..<ports.count {
                let health = try await environment.health(of: connections, slot: slot)
                guard health.model.version == UInt32(versions[0].version) else {
                    throw ValidationError(
                        "scorer \(slot + 1) serves v\(health.model.version), not v\(versions[0].version)"
                    )
                }
            }
            let start = ContinuousClock.now
            let firstChange = start + .milliseconds(Int64(self.warmup * 1_000))
            let observer = SwapObserver(
                scorers: ports.count,
                slots: ports.count * connectionsEach,
                initialVersion: UInt32(versions[0].version),
                measuringFrom: start + .seconds(1)
            )
            let target = ScoreTarget(
                name: "churnguard unary, hot swap ×\(ports.count) scorers",
                connections: connections,
                rows: FeatureRows.demo(count: 4_096),
                schemaHash: versions[0].schemaHash,
                onAnswer: { observer.observe($0) }
            )
            let memory = ResidentMemory(pids: pids)
            let changes = 4
            let duration = Duration.milliseconds(Int64((self.warmup - 1 + self.interval * Double(changes + 1)) * 1_000))
            let load = LoadRunConfiguration(
                mode: .open(ArrivalSchedule(rate: self.rate, process: .poisson(seed: 42))),
                duration: duration,
                warmup: .seconds(1)
            )
            let sampler = Task { await memory.run() }
            async let result = LoadRunner.run(target, load, serverProcesses: pids)
            // The plan: promote v2, v3, v4, then roll back (to v3).
            let plan: [(label: String, to: Int)] = [
                ("promote v\(versions[1].version)", versions[1].version),
                ("promote v\(versions[2].version)", versions[2].version),
                ("promote v\(versions[3].version)", versions[3].version),
                ("rollback", versions[2].version),
            ]
            var current = versions[0].version
            for (number, step) in plan.enumerated() {
                try await Task.sleep(until: firstChange + .milliseconds(Int64(self.interval * 1_000 * Double(number))))
                if step.label == "rollback" {
                    _ = try await registry.rollback(name: name, actor: "churnbench")
                } else {
                    _ = try await registry.promote(name: name, version: step.to, to: .production, actor: "churnbench")
                }
                observer.changed(step.label, from: UInt32(current), to: UInt32(step.to), at: .now)
                Terminal.progress("\(step.label): committed")
                current = step.to
            }
            let measured = await result
            let end = ContinuousClock.now
            sampler.cancel()
            await target.close()
            return try self.summarize(
                measured: measured,
                observer: observer,
                memory: memory,
                window: (start, firstChange, end),
                modelBytes: modelBytes
            )
        }
    }

    private func summarize(
        measured: LoadResult,
        observer: SwapObserver,
        memory: ResidentMemory,
        window: (start: ContinuousClock.Instant, firstChange: ContinuousClock.Instant, end: ContinuousClock.Instant),
        modelBytes: Int
    ) throws -> String {
        let name = self.label ?? ReportOutput.datedName("hot-swap-scorers")
        let report = LoadReport(
            scenario: "hot-swap",
            description: "3 promotions and a rollback under \(Int(self.rate)) calls/s on \(self.scorers) scorers",
            commit: ReportOutput.gitCommit(),
            targets: [TargetRuns(target: measured.target, runs: [measured])]
        )
        let files = try ReportOutput.write(report, to: self.out, name: name)
        let steady = memory.median(in: (window.firstChange - .seconds(1))..<window.firstChange)
        let peak = memory.peak(in: window.firstChange..<window.end)
        let final = memory.median(in: (window.end - .milliseconds(700))..<window.end)
        let p99 = observer.p99
        func ms(_ duration: Duration?) -> String {
            duration.map { String(format: "%.0f ms", Double(LoadRunner.nanoseconds($0)) / 1e6) } ?? "never"
        }
        var lines = [
            "# Hot swap under load, \(report.date)",
            "",
            "\(report.machine.cores) cores, \(report.machine.cpu); commit \(report.commit ?? "?"). \(report.description); "
                + "Poisson arrivals, latency from the intended send time; changes \(self.interval) s apart; "
                + "model artifact \(modelBytes / 1_024) KiB.",
            "",
            "| calls sent | answered | failed | unexpected versions | p50 | p99 | p99.9 | max |",
            "|---|---|---|---|---|---|---|---|",
            "| \(measured.sent) | \(measured.answered) | \(measured.failed)\(measured.failures.isEmpty ? "" : " \(measured.failures)") "
                + "| \(observer.unexpected.count) | \(ReportOutput.time(measured.latency.p50)) "
                + "| \(ReportOutput.time(measured.latency.p99)) | \(ReportOutput.time(measured.latency.p999)) "
                + "| \(ReportOutput.time(measured.latency.max)) |",
            "",
            "| change | until every scorer served it | per scorer |",
            "|---|---|---|",
        ]
        for (change, every, each) in observer.propagation {
            lines.append(
                "| \(change.label) (v\(change.from) → v\(change.to)) | \(ms(every)) | \(each.map(ms).joined(separator: ", ")) |"
            )
        }
        let ratio = p99.steady > 0 ? p99.swap / p99.steady : 0
        lines += [
            "",
            "p99 on the connection: \(ReportOutput.time(p99.swap)) in the swap windows (1 s after each change, \(p99.swapCalls) calls) "
                + "against \(ReportOutput.time(p99.steady)) outside them (\(p99.steadyCalls) calls): \(String(format: "%.2f", ratio))×.",
            "",
            "| scorer | steady RSS | peak during swaps | above steady | at the end | end above steady |",
            "|---|---|---|---|---|---|",
        ]
        for index in steady.indices {
            lines.append(
                "| \(index + 1) | \(steady[index] / 1_024) MiB | \(peak[index] / 1_024) MiB | \(peak[index] - steady[index]) KiB "
                    + "| \(final[index] / 1_024) MiB | \(final[index] - steady[index]) KiB |"
            )
        }
        let worstPeak = zip(peak, steady).map { $0 - $1 }.max() ?? 0
        let worstEnd = zip(final, steady).map { $0 - $1 }.max() ?? 0
        let modelKiB = modelBytes / 1_024
        let slowest = observer.propagation.compactMap(\.everyScorer).max()
        let converged = observer.propagation.allSatisfy { $0.everyScorer != nil }
        lines += [
            "",
            "Goals (issue 5):",
            "- zero failed calls: \(measured.failed == 0 ? "met" : "**missed** (\(measured.failed))")",
            "- every answer names a live version: \(observer.unexpected.isEmpty ? "met" : "**missed**: \(observer.unexpected.prefix(3).joined(separator: "; "))")",
            "- p99 in the swap windows ≤ 1.2× steady: \(String(format: "%.2f", ratio))× → \(ratio <= 1.2 ? "met" : "**missed**")",
            "- peak memory above steady < 2× the model (\(2 * modelKiB) KiB): worst \(worstPeak) KiB → \(worstPeak < 2 * modelKiB ? "met" : "**missed**")",
            "- old models freed (end within one model of steady, \(modelKiB) KiB): worst \(worstEnd) KiB → \(worstEnd < modelKiB ? "met" : "**missed**")",
            "- promote to every scorer serving < 1 s: slowest \(ms(slowest)) → \(converged && (slowest ?? .seconds(99)) < .seconds(1) ? "met" : "**missed**")",
            "",
            "Result: \(files.json), plot \(files.svg).",
        ]
        let text = lines.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(self.out)/\(name).md"))
        return text
    }
}
