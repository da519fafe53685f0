import ArgumentParser
import ChurnModel
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// `grpc-peer serve`: the model behind a grpc-swift 2 server with mutual TLS.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a ChurnGuard artifact over gRPC (TLS, client certificates from the CA required)."
    )

    @Option(help: "A ChurnGuard artifact (`churnguard model import-lightgbm` or `train`).")
    var model: String

    @Option(help: "A folder from `churnguard certs dev`.")
    var tlsDir: String

    @Option(help: "Port; 0 picks a free one.")
    var port = 7450

    @Option(help: "Write the port listened on to this file.")
    var portFile: String?

    func run() async throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: self.model)))
        let model = try TrainedModel(artifactFile: bytes)
        let service = ScoringService(model: model, version: 1, schemaHash: model.schema.hash)
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: "127.0.0.1", port: self.port),
            transportSecurity: .tls(
                .mTLS(
                    certificateChain: [.file(path: "\(self.tlsDir)/node.pem", format: .pem)],
                    privateKey: .file(path: "\(self.tlsDir)/node.key", format: .pem)
                ) { config in
                    config.trustRoots = .certificates([.file(path: "\(self.tlsDir)/ca.pem", format: .pem)])
                    config.requireALPN = true
                }
            )
        )
        let server = GRPCServer(transport: transport, services: [service])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            if let address = try await transport.listeningAddress.ipv4 {
                FileHandle.standardError.write(Data("grpc-peer listening on \(address)\n".utf8))
                if let portFile = self.portFile {
                    _ = FileManager.default.createFile(atPath: portFile, contents: Data("\(address.port)\n".utf8))
                }
            }
        }
    }
}
