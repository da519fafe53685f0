import ChurnCertificates
import ChurnTesting
import ChurnWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Testing

@testable import ChurnTransport

@Suite("Graceful shutdown")
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

    /// An echo server that reports its port on `ports` and calls `draining` when shutdown begins.
    static func server(
        tls: ServerTLS,
        draining: @escaping @Sendable () -> Void
    ) throws -> (ports: AsyncStream<Int>, server: RPCServer) {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try RPCServer(
            configuration: RPCServerConfiguration(port: 0, tls: tls),
            router: EchoService().router,
            logger: quietLogger(),
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
