import ChurnLoad
import ChurnTesting
import ChurnTransport
import Logging
import NIOCore
import NIOPosix

/// Runs a ``FixedAnswerServer`` on 127.0.0.1 for `body`, which gets a ``ConnectionSet`` to it.
/// The server has event loops of its own, so the load generator's timers never wait on it.
func withFixedAnswerServer<Result: Sendable>(
    answer: ByteBuffer = FixedAnswers.score(),
    delay: @escaping @Sendable (ContinuousClock.Instant) -> Duration = { _ in .zero },
    connections: Int = 2,
    _ body: (ConnectionSet) async throws -> Result
) async throws -> Result {
    try await withFixedAnswerServerPort(answer: answer, delay: delay) { port, tls in
        let set = ConnectionSet(
            target: .init(host: "127.0.0.1", port: port),
            tls: tls,
            count: connections,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: quietLogger()
        )
        do {
            let result = try await body(set)
            await set.close()
            return result
        } catch {
            await set.close()
            throw error
        }
    }
}

/// Runs a ``FixedAnswerServer`` on 127.0.0.1 for `body`, which gets its port and the TLS a
/// client calls it with (no client certificate is asked for).
func withFixedAnswerServerPort<Result: Sendable>(
    answer: ByteBuffer = FixedAnswers.score(),
    delay: @escaping @Sendable (ContinuousClock.Instant) -> Duration = { _ in .zero },
    _ body: (_ port: Int, _ tls: ClientTLS) async throws -> Result
) async throws -> Result {
    let certificates = try TestCertificates()
    defer { certificates.remove() }
    let serverLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let server = FixedAnswerServer(
        configuration: .init(port: 0, tls: certificates.serverTLS(mutualTLS: false), answer: answer, delay: delay),
        eventLoopGroup: serverLoops,
        logger: quietLogger(),
        listening: { address in
            continuation.yield(address.port ?? 0)
            continuation.finish()
        }
    )
    defer { serverLoops.shutdownGracefully { _ in } }
    return try await withListeningService(server.run, ports: ports) { port in
        try await body(port, certificates.clientTLS(presentCertificate: false))
    }
}

/// A unary score target over `connections`, with the demo rows.
func scoreTarget(_ connections: ConnectionSet) -> ScoreTarget {
    ScoreTarget(name: "test", connections: connections, rows: FeatureRows.demo(count: 16), schemaHash: 0xF100_F100)
}

/// A target run by a task per call, as the gRPC peer's client is: wraps another so that
/// ``LoadRunner`` cannot drive it on event loops.
struct TaskPerCallTarget: LoadTarget {
    var wrapped: any LoadTarget
    var name: String { self.wrapped.name }
    func call(_ index: Int) async -> CallOutcome { await self.wrapped.call(index) }
    func close() async { await self.wrapped.close() }
}

/// `target` as the load runner drives it: on its event loops, or (`onEventLoops` false) by a
/// task per call.
func driven(_ target: some LoadTarget, onEventLoops: Bool) -> any LoadTarget {
    onEventLoops ? target : TaskPerCallTarget(wrapped: target)
}
