import ArgumentParser
import ChurnLoad
import ChurnTransport
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// `churnbench floor`: the transport floor as a process of its own.
struct FloorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floor",
        abstract: "Serve the transport floor: a bare HTTP/2 + TLS server on ChurnGuard's stack answering fixed bytes.",
        discussion: """
            It answers every call with one encoded Score answer without reading the request's \
            frames, routing or scoring: what the scorer's transport costs with no work behind \
            it. Health/Check calls get a fixed health answer instead, so that `churnbench run \
            --address` can load it. `churnbench run --floor` starts it; run it by hand to load \
            it from elsewhere (`churnbench run --address 127.0.0.1:7445 --tls-dir DIR \
            --server-pid PID` reports its CPU per call too).
            """
    )

    @Option(
        help: "A folder from `churnguard certs dev` (node.pem, node.key; client certificates from ca.pem required)."
    )
    var tlsDir: String

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port; 0 picks a free one.")
    var port = 7445

    @Option(help: "Write the port listened on to this file.")
    var portFile: String?

    func run() async throws {
        var logger = Logger(label: "churnbench.floor")
        logger.logLevel = .warning
        let portFile = self.portFile
        let server = FixedAnswerServer(
            configuration: .init(
                host: self.host,
                port: self.port,
                tls: ServerTLS(
                    certificateChain: "\(self.tlsDir)/node.pem",
                    privateKey: "\(self.tlsDir)/node.key",
                    clientCertificateCA: "\(self.tlsDir)/ca.pem"
                ),
                answer: FixedAnswers.score(),
                healthAnswer: FixedAnswers.health()
            ),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger,
            listening: { address in
                let port = address.port ?? 0
                if let portFile {
                    _ = FileManager.default.createFile(atPath: portFile, contents: Data("\(port)\n".utf8))
                }
                FileHandle.standardError.write(Data("floor listening on \(address)\n".utf8))
            }
        )
        let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
