import ArgumentParser

@main
struct GRPCPeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grpc-peer",
        abstract: "ChurnGuard's model behind grpc-swift 2 (protobuf, HTTP/2, TLS), and load for it.",
        discussion: """
            grpc-peer serve --model demo.model --tls-dir certs --port-file port
            grpc-peer load --port 7450 --tls-dir certs --schema-hash 0x… --rate 5000 --out grpc.json
            """,
        subcommands: [ServeCommand.self, LoadCommand.self]
    )
}
