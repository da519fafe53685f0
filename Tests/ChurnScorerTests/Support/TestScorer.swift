import ChurnModel
import ChurnScorer
import ChurnTesting
import ChurnTransport
import Logging

/// Runs a ``ScorerService`` with `model` on 127.0.0.1 (a free port) for the duration of `body`.
func withTestScorer<Result: Sendable>(
    model: TrainedModel = .demo(),
    mutualTLS: Bool = true,
    configure: (inout ScorerConfiguration) -> Void = { _ in },
    _ body: (Int, TestCertificates, ScorerService) async throws -> Result
) async throws -> Result {
    let pki = try TestCertificates()
    defer { pki.remove() }
    var configuration = ScorerConfiguration(
        nodeID: "test-scorer",
        server: RPCServerConfiguration(port: 0, tls: pki.serverTLS(mutualTLS: mutualTLS))
    )
    configure(&configuration)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let scorer = try ScorerService(configuration: configuration, model: model, logger: quietLogger()) { _, port in
        continuation.yield(port)
        continuation.finish()
    }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await scorer.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestServerError.notListening }
        do {
            let result = try await body(port, pki, scorer)
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            try? await group.waitForAll()
            throw error
        }
    }
}
