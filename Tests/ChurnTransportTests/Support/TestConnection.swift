import ChurnTesting
import ChurnTransport
import NIOCore

/// Runs an echo server (``EchoService``) with fresh certificates and opens one client connection
/// to it for `body`, which also gets the port and the certificates.
func withEchoConnection<Result: Sendable>(
    echo: EchoService = EchoService(),
    mutualTLS: Bool = true,
    configure: (inout RPCServerConfiguration) -> Void = { _ in },
    _ body: (RPCConnection, Int, TestCertificates) async throws -> Result
) async throws -> Result {
    let pki = try TestCertificates()
    defer { pki.remove() }
    return try await withTestServer(
        router: echo.router,
        tls: pki.serverTLS(mutualTLS: mutualTLS),
        configure: configure
    ) { port in
        let connection = try await connect(port, tls: pki.clientTLS())
        defer { connection.close() }
        return try await body(connection, port, pki)
    }
}

/// A connection to the test server on `port`.
func connect(_ port: Int, tls: ClientTLS) async throws -> RPCConnection {
    // Generous: the whole test run shares 2 cores.
    try await RPCConnection.connect(
        to: .init(host: "127.0.0.1", port: port),
        tls: tls,
        connectTimeout: .seconds(120),
        eventLoopGroup: TestEventLoops.current,
        logger: quietLogger()
    ).get()
}
