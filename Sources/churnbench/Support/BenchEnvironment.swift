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
    /// The private PostgreSQL's folder and the churnguard that started it, if this run started one.
    private var privateDatabaseFolder: (directory: String, churnguard: String, url: String)?

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
            tls: self.clientTLS(directory: tlsDirectory),
            countEach: countEach,
            eventLoopGroup: self.eventLoops,
            logger: self.logger
        )
    }

    /// The client certificates of a `churnguard certs dev` folder, or this environment's when nil.
    func clientTLS(directory: String?) -> ClientTLS {
        directory.map {
            ClientTLS(trustRoots: "\($0)/ca.pem", certificateChain: "\($0)/client.pem", privateKey: "\($0)/client.key")
        } ?? self.clientTLS
    }

    /// Asks a scorer which model it serves (for the feature-schema hash calls must send).
    func health(of connections: ConnectionSet, slot: Int = 0) async throws -> HealthResponse {
        let connection = try await connections.connection(for: slot)
        return try await connection.unary(HealthService.check, HealthRequest(), timeout: .seconds(10))
    }

    /// A migrated PostgreSQL for the run: `given`, else `$CHURNGUARD_DATABASE_URL`'s, else a
    /// private one (``privateDatabase(churnguard:)``). Returns its URL.
    func database(churnguard: String, given: String? = nil) throws -> String {
        guard let url = given ?? ProcessInfo.processInfo.environment["CHURNGUARD_DATABASE_URL"], !url.isEmpty else {
            return try self.privateDatabase(churnguard: churnguard)
        }
        _ = try self.runChurnguard(churnguard, ["db", "migrate", "--database-url", url])
        return url
    }

    /// A migrated PostgreSQL of the run's own, in the work folder, which ``shutdown()`` stops: for
    /// data no one else's database should get. Returns its URL.
    func privateDatabase(churnguard: String) throws -> String {
        if let started = self.privateDatabaseFolder { return started.url }
        let directory = self.workDirectory + "/pg"
        Terminal.progress("starting a private PostgreSQL…")
        let url = try self.runChurnguard(churnguard, ["db", "start", "--data-dir", directory])
        self.privateDatabaseFolder = (directory, churnguard, url)
        _ = try self.runChurnguard(churnguard, ["db", "migrate", "--database-url", url])
        return url
    }

    /// Runs a churnguard command to its end; its standard output, trimmed (through a file: a
    /// server it starts keeps no pipe open). Its errors go to ours.
    func runChurnguard(_ churnguard: String, _ arguments: [String]) throws -> String {
        let output = "\(self.workDirectory)/tool-\(UUID().uuidString).out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: churnguard)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle.standardError
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LoadError("churnguard \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus))")
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `body` in a fresh environment and shuts the environment down afterwards, whether or
    /// not `body` throws.
    static func with<Result>(_ body: (BenchEnvironment) async throws -> Result) async throws -> Result {
        let environment = try BenchEnvironment()
        do {
            let result = try await body(environment)
            await environment.shutdown()
            return result
        } catch {
            await environment.shutdown()
            throw error
        }
    }

    /// Stops every process started here, then the private database (after the scorers, before
    /// its folder goes: removed first, PostgreSQL ran on for up to a minute, until it noticed its
    /// lock file gone, beside the next run), and removes the work folder.
    func shutdown() async {
        for process in self.processes.reversed() { await process.stop() }
        if let (directory, churnguard, _) = self.privateDatabaseFolder {
            do {
                _ = try self.runChurnguard(churnguard, ["db", "stop", "--data-dir", directory])
            } catch {
                FileHandle.standardError.write(Data("churnbench: stopping the private database: \(error)\n".utf8))
            }
        }
        try? FileManager.default.removeItem(atPath: self.workDirectory)
    }
}
