import ChurnTesting
import ChurnWire
import MetricsTestKit
import NIOCore
import Testing

@testable import ChurnTransport

/// A server past its limit of calls in progress answers new calls `OVERLOADED` at once, with a
/// retry hint, rather than sharing its CPU among more calls than it can finish in time.
@Suite("Admission", .onOwnEventLoops)
struct AdmissionTests {
    @Test("past its limit the server sheds calls with OVERLOADED and a retry hint, and serves again once calls end")
    func shedsAndRecovers() async throws {
        let metrics = TestMetrics()
        let pki = try TestCertificates()
        defer { pki.remove() }
        // Late-call shedding is off: in the starved parallel suite a held call can arrive more
        // than its 1 s late while the other is in progress, and this test is about the limit.
        let twoCalls: (inout RPCServerConfiguration) -> Void = {
            $0.limits.maxCallsInProgress = 2
            $0.limits.maxArrivalDelay = nil
        }
        try await withTestServer(
            router: EchoService().router,
            tls: pki.serverTLS(),
            configure: twoCalls,
            metrics: RPCServerMetrics(factory: metrics)
        ) { port in
            let connection = try await connect(port, tls: pki.clientTLS())
            defer { connection.close() }
            // Two batch calls, each admitted (its first frame answered) and held open.
            try await withHeldBatchCalls(2, on: connection) {
                do {
                    _ = try await connection.unary(ScoringService.score, ScoreRequest(crm: 3), timeout: .seconds(30))
                    Issue.record("a third call was served past the limit of 2")
                } catch let error as RPCError {
                    #expect(error.status == .overloaded)
                    #expect(error.isRetryable)
                    #expect(error.retryAfterMs.map { (1...5_000).contains($0) } == true)
                    #expect(error.message.contains("2 calls"))
                }
                let shed = try metrics.expectCounter(
                    "churnguard_rpc_calls_shed_total",
                    [("reason", "calls_in_progress")]
                )
                #expect(shed.totalValue == 1)
                #expect(connection.isActive)
            }
            // The held calls ended, so their places are free: the next call is served.
            let answer = try await connection.unary(ScoringService.score, ScoreRequest(crm: 5), timeout: .seconds(60))
            #expect(answer.crm == 5)
        }
    }
}
