import ChurnModel
import ChurnScorer
import ChurnTesting
import ChurnTransport
import Logging

/// Runs a ``ScorerService`` with `model` on 127.0.0.1 (a free port) for the duration of `body`.
func withTestScorer<Result: Sendable>(
    model: TrainedModel = .demo(),
    mutualTLS: Bool = true,
    customers: CustomerBook? = nil,
    configure: (inout ScorerConfiguration) -> Void = { _ in },
    _ body: (Int, TestCertificates, ScorerService) async throws -> Result
) async throws -> Result {
    let pki = try TestCertificates()
    defer { pki.remove() }
    var configuration = ScorerConfiguration(
        nodeID: "test-scorer",
        server: RPCServerConfiguration(
            port: 0,
            tls: pki.serverTLS(mutualTLS: mutualTLS),
            handshakeTimeout: .seconds(120)
        )
    )
    configure(&configuration)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let scorer = try ScorerService(
        configuration: configuration,
        model: model,
        logger: quietLogger(),
        listening: { _, port in
            continuation.yield(port)
            continuation.finish()
        },
        customers: customers
    )
    return try await withListeningService(scorer.run, ports: ports) { port in
        try await body(port, pki, scorer)
    }
}
