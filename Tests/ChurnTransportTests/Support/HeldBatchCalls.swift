import ChurnTransport
import ChurnWire
import Testing

/// A held call failed before it was admitted (its own error, when it threw one, comes first).
struct HeldCallFailed: Error {}

/// Opens `count` batch calls on `connection` (served by ``EchoService``), waits until each is
/// admitted (its first frame answered with the CRM it sent, which it expects), runs `body` while
/// they are held open, then ends them and waits for them: the server has that many calls in
/// progress throughout `body`.
func withHeldBatchCalls<Result: Sendable>(
    _ count: Int,
    on connection: RPCConnection,
    _ body: () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { group in
        let (admitted, admittedFeed) = AsyncStream.makeStream(of: Void.self)
        var feeds: [AsyncStream<ScoreBatchRequest>.Continuation] = []
        for crm in 0..<count {
            let (requests, feed) = AsyncStream.makeStream(of: ScoreBatchRequest.self)
            feed.yield(ScoreBatchRequest(crms: [UInt64(crm)]))
            feeds.append(feed)
            group.addTask {
                do {
                    try await connection.bidirectional(
                        ScoringService.scoreBatch,
                        requests: requests,
                        timeout: .seconds(120)
                    ) { answers in
                        for try await answer in answers {
                            #expect(answer.crms == [UInt64(crm)], "held call \(crm) got another call's answer")
                            admittedFeed.yield()
                        }
                    }
                } catch {
                    admittedFeed.finish()
                    throw error
                }
            }
        }
        defer { for feed in feeds { feed.finish() } }
        var admissions = admitted.makeAsyncIterator()
        for _ in 0..<count {
            guard await admissions.next() != nil else {
                // Surface the held call's own error, when it threw one.
                for feed in feeds { feed.finish() }
                try await group.waitForAll()
                throw HeldCallFailed()
            }
        }
        let result = try await body()
        for feed in feeds { feed.finish() }
        try await group.waitForAll()
        return result
    }
}
