import ChurnCertificates
import ChurnTesting
import ChurnWire
import NIOCore
import NIOPosix
import Testing

@testable import ChurnTransport

@Suite("Deadlines", .onOwnEventLoops)
struct DeadlineTests {
    @Test("a call whose answer comes too late fails with DEADLINE_EXCEEDED at the caller")
    func callerDeadline() async throws {
        // The slow handler blocks its event loop: the server gets a loop of its own, so that the
        // caller's timer is not held up behind it.
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pki = try TestCertificates()
        defer { pki.remove() }
        try await withTestServer(router: EchoService().router, tls: pki.serverTLS(), eventLoopGroup: serverGroup) {
            port in
            let connection = try await connect(port, tls: pki.clientTLS())
            defer { connection.close() }
            do {
                _ = try await connection.unary(
                    ScoringService.score,
                    ScoreRequest(crm: EchoService.slowCRM),
                    timeout: .milliseconds(50)
                )
                Issue.record("the late answer was accepted")
            } catch let error as RPCError {
                #expect(error.status == .deadlineExceeded)
            }
            // The connection survives the abandoned call. (The server answers the reset stream
            // late and then sees its reset: a stream error, which once closed the connection.)
            #expect(try await connection.unary(ScoringService.score, ScoreRequest(crm: 1)).crm == 1)
            #expect(connection.isActive)
        }
        try await serverGroup.shutdownGracefully()
    }

    @Test("the server ends a call whose request has not come by its deadline")
    func serverDeadline() async throws {
        try await withEchoConnection { connection, _, _ in
            let started = NIODeadline.now()
            let answer = try await connection.raw(
                headers: RPCConnection.headers(extra: [(RPCProtocol.timeoutHeader, "100")]),
                chunks: [],
                endRequest: false
            )
            #expect(answer.error?.status == .deadlineExceeded)
            #expect(NIODeadline.now() - started >= .milliseconds(100))
        }
    }
}
