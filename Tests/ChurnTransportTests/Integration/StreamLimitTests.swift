import ChurnTesting
import ChurnWire
import Testing

@testable import ChurnTransport

/// Calls beyond the server's stream limit wait on the caller's side (swift-nio-http2 holds their
/// HEADERS back). Calls that time out while waiting must give their place back, or a caller
/// that outlived one overload finds every later call waiting forever.
@Suite("Calls past the server's stream limit", .onOwnEventLoops)
struct StreamLimitTests {
    static func frames(_ frame: ScoreBatchRequest) -> AsyncStream<ScoreBatchRequest> {
        AsyncStream { continuation in
            continuation.yield(frame)
            continuation.finish()
        }
    }

    @Test("calls that time out while waiting for a stream leave the connection usable")
    func timeoutsWhileWaitingForAStream() async throws {
        let fewStreams: (inout RPCServerConfiguration) -> Void = { $0.limits.maxConcurrentStreams = 4 }
        try await withEchoConnection(configure: fewStreams) { connection, _, _ in
            let slowFrame = ScoreBatchRequest(featureCount: 1, crms: [EchoService.slowCRM], features: [1])
            let calls = 40
            let timedOut = await timedOutCalls(calls) {
                try await connection.bidirectional(
                    ScoringService.scoreBatch,
                    requests: Self.frames(slowFrame),
                    timeout: .milliseconds(250)
                ) { answers in
                    for try await _ in answers {}
                }
            }
            #expect(timedOut >= calls - 4)
            // The server works off what reached it (300 ms a frame, on one event loop).
            try await Task.sleep(for: .seconds(3))
            let frame = ScoreBatchRequest(featureCount: 1, crms: [7], features: [1])
            let rows = try await connection.bidirectional(
                ScoringService.scoreBatch,
                requests: Self.frames(frame),
                timeout: .seconds(10)
            ) { answers in
                var rows = 0
                for try await answer in answers { rows += answer.crms.count }
                return rows
            }
            #expect(rows == 1)
        }
    }
}
