import ChurnCertificates
import ChurnTesting
import ChurnWire
import NIOCore
import Testing

@testable import ChurnTransport

@Suite("Deadlines")
struct DeadlineTests {
    @Test("a call whose answer comes too late fails with DEADLINE_EXCEEDED at the caller")
    func callerDeadline() async throws {
        let pki = try TestCertificates()
        defer { pki.remove() }
        try await withTestServer(router: EchoService().router, tls: pki.serverTLS()) { port in
            let connection = try await RPCConnection.connect(
                to: .init(host: "127.0.0.1", port: port),
                tls: pki.clientTLS(),
                logger: quietLogger()
            ).get()
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
            // The connection survives the abandoned call.
            #expect(try await connection.unary(ScoringService.score, ScoreRequest(crm: 1)).crm == 1)
        }
    }

    @Test("the server ends a call whose request has not come by its deadline")
    func serverDeadline() async throws {
        let pki = try TestCertificates()
        defer { pki.remove() }
        try await withTestServer(router: EchoService().router, tls: pki.serverTLS()) { port in
            let connection = try await RPCConnection.connect(
                to: .init(host: "127.0.0.1", port: port),
                tls: pki.clientTLS(),
                logger: quietLogger()
            ).get()
            defer { connection.close() }
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
