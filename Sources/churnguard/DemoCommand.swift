import ArgumentParser
import ChurnCertificates
import ChurnClient
import ChurnModel
import ChurnScorer
import ChurnTransport
import ChurnWire
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// The main job: a scorer node with the demo model, and a caller scoring customers through
/// mutual TLS over HTTP/2, one by one and as a streamed batch.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a scorer with the demo model and score customers through TLS, as a caller does.",
        discussion: """
            Mints development certificates into a fresh temporary folder, starts a scorer on a \
            free port of 127.0.0.1 that requires client certificates, then, as a caller with \
            ChurnClient: asks its health, scores four customers with their top drivers, times \
            --calls unary calls one after another, streams --rows rows in frames of --frame-rows, \
            shows the typed error a mismatched feature schema gets, and shuts the scorer down \
            gracefully. Exits 1 if any call that should succeed fails.
            """
    )

    @Option(help: "Unary calls to time, one after another.")
    var calls = 2000

    @Option(help: "Rows in the streamed batch.")
    var rows = 1_000_000

    @Option(help: "Rows per batch frame.")
    var frameRows = 1000

    func validate() throws {
        guard (1...1_000_000).contains(self.calls) else { throw ValidationError("--calls must be 1 to 1000000") }
        guard (1...100_000_000).contains(self.rows) else { throw ValidationError("--rows must be 1 to 100000000") }
        guard (1...100_000).contains(self.frameRows) else { throw ValidationError("--frame-rows must be 1 to 100000") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let logger = Logger(label: "churnguard.demo")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try DevelopmentCertificates.make().write(to: directory)
        print("Development certificates (CA, node, client) in \(directory)")

        let configuration = ScorerConfiguration(
            nodeID: "demo-scorer",
            server: RPCServerConfiguration(
                port: 0,
                tls: ServerTLS(
                    certificateChain: files.nodeCertificate,
                    privateKey: files.nodePrivateKey,
                    clientCertificateCA: files.caCertificate
                ),
                shutdownGracePeriod: .seconds(5)
            )
        )
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let scorer = try ScorerService(configuration: configuration, model: TrainedModel.demo(), logger: logger) {
            _,
            port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [scorer],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        let failures = try await withThrowingTaskGroup(of: Int.self) { tasks in
            tasks.addTask {
                try await group.run()
                return 0
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ExitCode(1) }
            print("Scorer listening on 127.0.0.1:\(port) (TLS 1.3, ALPN h2, client certificates required)\n")
            let client = ChurnClientConfiguration(
                target: RPCConnection.Target(host: "127.0.0.1", port: port),
                tls: ClientTLS(
                    trustRoots: files.caCertificate,
                    certificateChain: files.clientCertificate,
                    privateKey: files.clientPrivateKey
                )
            )
            let failures = try await ChurnClient.withClient(configuration: client, logger: logger) { client in
                try await DemoCaller(client: client, calls: self.calls, rows: self.rows, frameRows: self.frameRows)
                    .run()
            }
            print("\nShutting the scorer down gracefully (drains calls in flight)…")
            await group.triggerGracefulShutdown()
            while let result = try await tasks.next() { return failures + result }
            return failures
        }
        if failures > 0 {
            print("\n\(failures) call(s) failed")
            throw ExitCode(1)
        }
        print("Done: every call answered.")
    }

    static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "churnguard-demo-XXXXXX").utf8CString)
        guard let path = mkdtemp(&template) else { throw ValidationError("cannot create a temporary folder") }
        return String(cString: path)
    }
}
