import ArgumentParser
import ChurnLoad
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// `grpc-peer load`: a churnbench scenario against the gRPC peer, on grpc-swift's own client,
/// measured by ChurnLoad exactly as churnbench measures ChurnGuard.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Run a churnbench scenario against the gRPC peer; writes a churnbench result (JSON)."
    )

    @Argument(help: "A churnbench scenario file (unary or batch).")
    var scenario: String

    @Option(help: "The peer's port on 127.0.0.1.")
    var port: Int

    @Option(help: "A folder from `churnguard certs dev` (ca.pem, client.pem, client.key).")
    var tlsDir: String

    @Option(help: "The model's feature-schema hash (hex, as `churnguard model show` prints it).")
    var schemaHash: String

    @Option(help: "Arrival rate in calls per second (overrides the scenario).")
    var rate: Double?

    @Option(help: "Measured seconds per run.")
    var duration: Double?

    @Option(help: "Warm-up seconds per run.")
    var warmup: Double?

    @Option(help: "Runs; the result gives medians and spreads.")
    var repetitions: Int?

    @Option(help: "The server's process id, for its CPU per call.")
    var serverPid: Int32?

    @Option(help: "Sweep instead: the highest rate whose p99 stays under this many milliseconds.")
    var sweepP99Ms: Double?

    @Option(help: "With --sweep-p99-ms: the first rate.")
    var sweepFrom = 500.0

    @Option(help: "With --sweep-p99-ms: the largest rate tried.")
    var sweepTo = 1_000_000.0

    @Option(help: "Where to write the result (JSON).")
    var out: String

    func run() async throws {
        var scenario = try Scenario(contentsOf: self.scenario)
        if let rate = self.rate { scenario = scenario.at(rate: rate) }
        if let duration = self.duration { scenario.load.duration = .milliseconds(Int64(duration * 1_000)) }
        if let warmup = self.warmup { scenario.load.warmup = .milliseconds(Int64(warmup * 1_000)) }
        if let repetitions = self.repetitions { scenario.repetitions = repetitions }
        let text = self.schemaHash.hasPrefix("0x") ? String(self.schemaHash.dropFirst(2)) : self.schemaHash
        guard let schemaHash = UInt64(text, radix: 16) else {
            throw ValidationError("--schema-hash is a hexadecimal number, such as 0x1a2b3c4d5e6f7081")
        }
        let transports = try (0..<scenario.connections).map { _ in
            try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: self.port),
                transportSecurity: .tls(
                    .mTLS(
                        certificateChain: [.file(path: "\(self.tlsDir)/client.pem", format: .pem)],
                        privateKey: .file(path: "\(self.tlsDir)/client.key", format: .pem)
                    ) { config in
                        config.trustRoots = .certificates([.file(path: "\(self.tlsDir)/ca.pem", format: .pem)])
                        config.serverCertificateVerification = .noHostnameVerification
                    }
                )
            )
        }
        let clients = transports.map { GRPCClient(transport: $0) }
        let rows = FeatureRows.demo(count: 4_096)
        let target: any LoadTarget
        let scoring = clients.map { Churn_Peer_V1_Scoring.Client(wrapping: $0) }
        switch scenario.kind {
        case .unary:
            target = GRPCScoreTarget(clients: scoring, rows: rows, schemaHash: schemaHash, timeout: scenario.timeout)
        case .batch:
            let frames = (0..<scenario.framesPerCall).map { frame in
                var request = Churn_Peer_V1_ScoreBatchRequest()
                request.featureSchemaHash = schemaHash
                request.featureCount = UInt32(rows[0].count)
                request.productGroup = "fuel_cards"
                for row in 0..<scenario.rowsPerFrame {
                    let index = frame * scenario.rowsPerFrame + row
                    request.crms.append(UInt64(2_000_000 + index))
                    request.features += rows[index % rows.count]
                }
                return request
            }
            target = GRPCBatchTarget(clients: scoring, frames: frames, timeout: scenario.timeout)
        case .ingest:
            throw ValidationError(
                "\(self.scenario) is an ingest scenario: the gRPC peer serves Score and ScoreBatch only"
            )
        }
        let runs = try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { try await client.runConnections() } }
            let runs: [TargetRuns]
            if let bound = self.sweepP99Ms {
                let sweep = RateSweep(p99BoundMicros: bound * 1_000, from: self.sweepFrom, to: self.sweepTo)
                let outcome = await sweep.run(
                    target,
                    base: scenario,
                    serverProcesses: self.serverPid.map { [$0] } ?? []
                ) { result, held in
                    FileHandle.standardError.write(
                        Data(
                            "grpc-peer: \(Int(result.targetRate ?? 0))/s: p99 \(Int(result.latency.p99)) µs, \(result.failed) failed → \(held ? "holds" : "misses")\n"
                                .utf8
                        )
                    )
                }
                runs = outcome.steps.map { TargetRuns(target: $0.target, runs: [$0]) }
            } else {
                let entry = ScenarioRunner.Entry(target: target, serverProcesses: self.serverPid.map { [$0] } ?? [])
                runs = await ScenarioRunner.run(scenario, entries: [entry]) { line in
                    FileHandle.standardError.write(Data("grpc-peer: \(line)\n".utf8))
                }
            }
            for client in clients { client.beginGracefulShutdown() }
            try await group.waitForAll()
            return runs
        }
        let report = LoadReport(
            scenario: self.sweepP99Ms == nil ? scenario.name : "\(scenario.name)-sweep",
            description: scenario.description,
            commit: nil,
            targets: runs
        )
        try report.json().write(to: URL(fileURLWithPath: self.out))
        if let median = runs.first?.median {
            print(
                "grpc-swift: \(Int(median.throughput)) calls/s answered, p50 \(Int(median.latency.p50)) µs, p99 \(Int(median.latency.p99)) µs, \(median.failed) failed → \(self.out)"
            )
        }
    }
}
