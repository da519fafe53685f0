import ChurnCertificates
import ChurnTesting
import ChurnWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Testing

@testable import ChurnTransport

@Suite("Graceful shutdown", .onOwnEventLoops)
struct GracefulShutdownTests {
    @Test("shutdown stops accepting, lets the call in flight finish, then returns")
    func drainsCallsInFlight() async throws {
        let pki = try TestCertificates()
        defer { pki.remove() }
        let draining = NIOLockedValueBox(false)
        let (ports, server) = try Self.server(tls: pki.serverTLS()) { draining.withLockedValue { $0 = true } }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [server], logger: quietLogger())
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let connection = try await connect(port, tls: pki.clientTLS())
            defer { connection.close() }

            // A batch call whose requests keep coming after shutdown began.
            let (requests, requestContinuation) = AsyncStream.makeStream(of: ScoreBatchRequest.self)
            let answered = try await connection.bidirectional(ScoringService.scoreBatch, requests: requests) {
                answers in
                var iterator = answers.makeAsyncIterator()
                requestContinuation.yield(ScoreBatchRequest(crms: [1]))
                #expect(try await iterator.next()?.crms == [1])

                await group.triggerGracefulShutdown()
                while !draining.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }

                // No new connections once draining.
                await #expect(throws: RPCError.self) {
                    let late = try await connect(port, tls: pki.clientTLS())
                    late.close()
                }
                // The call in flight still gets answers, and ends cleanly.
                requestContinuation.yield(ScoreBatchRequest(crms: [2]))
                #expect(try await iterator.next()?.crms == [2])
                requestContinuation.finish()
                #expect(try await iterator.next() == nil)
                return true
            }
            #expect(answered)
            // The server returns once its last connection has closed.
            try await tasks.next()
        }
    }

    @Test("shutdown waits for a call whose answer is still being worked on, and sends it")
    func drainsDeferredAnswers() async throws {
        let pki = try TestCertificates()
        defer { pki.remove() }
        let started = NIOLockedValueBox<EventLoopPromise<ScoreResponse>?>(nil)
        var router = RPCRouter()
        router.register(
            ScoringService.score,
            completingLater: { request, _, loop in
                let promise = loop.makePromise(of: ScoreResponse.self)
                started.withLockedValue { $0 = promise }
                return promise.futureResult
            }
        )
        let draining = NIOLockedValueBox(false)
        let (ports, server) = try Self.server(tls: pki.serverTLS(), router: router) {
            draining.withLockedValue { $0 = true }
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server], logger: quietLogger()))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let connection = try await connect(port, tls: pki.clientTLS())
            defer { connection.close() }
            async let answer = connection.unary(ScoringService.score, ScoreRequest(crm: 5), timeout: .seconds(30))
            while started.withLockedValue({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
            await group.triggerGracefulShutdown()
            while !draining.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            // The work completes during the drain: its answer still goes out.
            try await Task.sleep(for: .milliseconds(200))
            started.withLockedValue { $0 }?.succeed(ScoreResponse(crm: 5, probability: 0.5))
            #expect(try await answer.probability == 0.5)
            try await tasks.next()
        }
    }

    /// An echo server (or one serving `router`) that reports its port on `ports` and calls
    /// `draining` when shutdown begins.
    static func server(
        tls: ServerTLS,
        router: RPCRouter = EchoService().router,
        draining: @escaping @Sendable () -> Void
    ) throws -> (ports: AsyncStream<Int>, server: RPCServer) {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try RPCServer(
            configuration: RPCServerConfiguration(port: 0, tls: tls),
            router: router,
            logger: quietLogger(),
            eventLoopGroup: TestEventLoops.current,
            events: RPCServer.Events(
                listening: { address in
                    continuation.yield(address.port ?? 0)
                    continuation.finish()
                },
                draining: draining
            )
        )
        return (ports, server)
    }
}
