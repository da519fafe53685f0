import ChurnTesting
import ChurnWire
import Foundation
import MetricsTestKit
import NIOCore
import Testing

@testable import ChurnTransport

/// A server with the standing-queue rule on (``RPCServerConfiguration/Limits/standingQueue``),
/// over real sockets: calls that say they were sent a while ago stand for a queue in which they
/// waited.
@Suite("Standing queue", .onOwnEventLoops)
struct StandingQueueTests {
    @Test("once no call has come in time for an interval, late calls are shed as standing_queue, until one does")
    func shedsWhileTheQueueStands() async throws {
        let metrics = TestMetrics()
        let pki = try TestCertificates()
        defer { pki.remove() }
        let standingQueueOn: (inout RPCServerConfiguration) -> Void = {
            $0.limits.standingQueue = .init(target: .milliseconds(50), interval: .seconds(1))
            $0.limits.maxArrivalDelay = .seconds(30)
        }
        try await withTestServer(
            router: EchoService().router,
            tls: pki.serverTLS(),
            configure: standingQueueOn,
            metrics: RPCServerMetrics(factory: metrics)
        ) { port in
            let connection = try await connect(port, tls: pki.clientTLS())
            defer { connection.close() }
            // One batch call held open: the server has another call in hand, as it does when
            // calls queue.
            try await withHeldBatchCalls(1, on: connection) {
                /// A Score call sent `late` ms before now, as its caller stamped it.
                func call(late: Int64) async throws -> RPCError? {
                    let sentAt = WallClock.nowMilliseconds() - late
                    let answer = try await connection.raw(
                        headers: RPCConnection.headers(extra: [(RPCProtocol.sentAtHeader, String(sentAt))]),
                        chunks: [RPCConnection.frame(ScoreRequest(crm: 8))]
                    )
                    #expect(answer.status == "200")
                    return answer.error
                }
                // 300 ms late, but the held call came in time just now: a queue, not a standing one.
                #expect(try await call(late: 300) == nil)
                // No call in time for longer than the interval: the queue stands.
                try await Task.sleep(for: .milliseconds(1_200))
                let shed = try #require(try await call(late: 300))
                #expect(shed.status == .overloaded)
                #expect(shed.message.contains("a standing queue"), "\(shed.message)")
                // A call in time: the queue has drained, and a late call is served again.
                #expect(try await call(late: 0) == nil)
                #expect(try await call(late: 300) == nil)
                let counted = try metrics.expectCounter(
                    "churnguard_rpc_calls_shed_total",
                    [("reason", "standing_queue")]
                )
                #expect(counted.totalValue == 1)
            }
        }
    }
}
