import ChurnCertificates
import ChurnLoad
import ChurnTransport
import ChurnWire
import Foundation
import Logging
import NIOCore
import NIOPosix

/// What a run needs around it: certificates, the scorer (and floor) it started, and the
/// targets it loads. ``shutdown()`` stops every process it started.
final class BenchEnvironment: @unchecked Sendable {
    let workDirectory: String
    let clientTLS: ClientTLS
    private(set) var processes: [LocalProcess] = []
    let logger: Logger
    /// Event loops for the generator's connections: as many as cores, like the servers'.
    let eventLoops = MultiThreadedEventLoopGroup.singleton

    init() throws {
        self.workDirectory = NSTemporaryDirectory() + "churnbench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: self.workDirectory, withIntermediateDirectories: true)
        let files = try DevelopmentCertificates.make().write(to: self.workDirectory + "/certs")
        self.clientTLS = ClientTLS(
            trustRoots: files.caCertificate,
            certificateChain: files.clientCertificate,
            privateKey: files.clientPrivateKey
        )
        var logger = Logger(label: "churnbench")
        logger.logLevel = .warning
        self.logger = logger
    }

    /// The ChurnGuard executable to start scorers with.
    static func churnguardPath(_ given: String?) -> String {
        if let given { return given }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("churnguard").path
    }

    /// Starts `churnguard scorer` with the development certificates (mutual TLS, as in production).
    func startScorer(
        churnguard: String,
        model: String?,
        name: String = "scorer",
        extraArguments: [String] = []
    ) async throws -> LocalProcess {
        guard FileManager.default.isExecutableFile(atPath: churnguard) else {
            throw LoadError(
                "no churnguard executable at \(churnguard): build it (swift build -c release) or give --churnguard"
            )
        }
        let portFile = "\(self.workDirectory)/\(name).port"
        var arguments = [
            "scorer", "--tls-dir", "\(self.workDirectory)/certs", "--port", "0", "--port-file", portFile,
            "--log-level", "warning",
        ]
        if let model { arguments += ["--model", model] }
        arguments += extraArguments
        let process = try await LocalProcess(
            name: name,
            executable: churnguard,
            arguments: arguments,
            portFile: portFile,
            logPath: "\(self.workDirectory)/\(name).log"
        )
        self.processes.append(process)
        return process
    }

    /// Starts this executable's `floor` command: the bare HTTP/2 + TLS server.
    func startFloor() async throws -> LocalProcess {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let portFile = "\(self.workDirectory)/floor.port"
        let process = try await LocalProcess(
            name: "floor",
            executable: me,
            arguments: ["floor", "--tls-dir", "\(self.workDirectory)/certs", "--port", "0", "--port-file", portFile],
            portFile: portFile,
            logPath: "\(self.workDirectory)/floor.log"
        )
        self.processes.append(process)
        return process
    }

    /// Connections to `target` over this environment's (or `tlsDirectory`'s) certificates.
    func connections(to target: RPCConnection.Target, count: Int, tlsDirectory: String? = nil) -> ConnectionSet {
        self.connections(to: [target], countEach: count, tlsDirectory: tlsDirectory)
    }

    /// `countEach` connections to each of `targets`, calls spread over all.
    func connections(to targets: [RPCConnection.Target], countEach: Int, tlsDirectory: String? = nil) -> ConnectionSet {
        ConnectionSet(
            targets: targets,
            tls: tlsDirectory.map {
                ClientTLS(
                    trustRoots: "\($0)/ca.pem",
                    certificateChain: "\($0)/client.pem",
                    privateKey: "\($0)/client.key"
                )
            } ?? self.clientTLS,
            countEach: countEach,
            eventLoopGroup: self.eventLoops,
            logger: self.logger
        )
    }

    /// Asks a scorer which model it serves (for the feature-schema hash calls must send).
    func health(of connections: ConnectionSet, slot: Int = 0) async throws -> HealthResponse {
        let connection = try await connections.connection(for: slot)
        return try await connection.unary(HealthService.check, HealthRequest(), timeout: .seconds(10))
    }

    /// Stops every process started here, runs `cleanUp` (what must go before the folder, such as
    /// a database inside it), and removes the work folder.
    func shutdown(beforeRemoving cleanUp: () -> Void = {}) async {
        for process in self.processes.reversed() { await process.stop() }
        cleanUp()
        try? FileManager.default.removeItem(atPath: self.workDirectory)
    }
}
