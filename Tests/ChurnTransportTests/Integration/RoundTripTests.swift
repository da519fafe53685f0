import ChurnCertificates
import ChurnTesting
import ChurnWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import ChurnTransport

/// A real TLS HTTP/2 server on 127.0.0.1 and the real client, answering over sockets.
@Suite("RPC round trips over TLS HTTP/2", .serialized, .onOwnEventLoops)
struct RoundTripTests {
    @Test("a unary call gets its answer")
    func unary() async throws {
        try await withEchoConnection { connection, _, _ in
            let answer = try await connection.unary(
                ScoringService.score,
                ScoreRequest(crm: 42, productGroup: "fuel-cards", features: [1, 2, 3.5])
            )
            #expect(answer.crm == 42)
            #expect(answer.productGroup == "fuel-cards")
            #expect(answer.probability == 6.5)
            let health = try await connection.unary(HealthService.check, HealthRequest(), timeout: .seconds(60))
            #expect(health.state == .serving)
        }
    }

    @Test("a unary call started on the connection's event loop answers there; on a closed connection it fails")
    func unaryStartedOnTheEventLoop() async throws {
        try await withEchoConnection { connection, _, _ in
            let loop = connection.eventLoop
            let answered = try await loop.flatSubmit {
                connection.startUnary(
                    ScoringService.score,
                    ScoreRequest(crm: 7, productGroup: "fuel-cards", features: [1, 2]),
                    timeout: .seconds(60)
                ).map { answer in (answer, loop.inEventLoop) }
            }.get()
            #expect(answered.0.crm == 7 && answered.0.probability == 3)
            #expect(answered.1, "the answer was delivered off the connection's event loop")
            connection.close()
            try await connection.closeFuture.get()
            let error = await #expect(throws: RPCError.self) {
                try await connection.startUnary(ScoringService.score, ScoreRequest(crm: 8, productGroup: "x")).get()
            }
            #expect(error?.status == .unavailable)
        }
    }

    @Test("a one-frame streamed call started on the event loop gets its answer there")
    func singleFrameStartedOnTheEventLoop() async throws {
        let echo = EchoService()
        try await withEchoConnection(echo: echo) { connection, _, _ in
            let loop = connection.eventLoop
            var frames = RequestFrames(count: 1, rows: 1000).makeAsyncIterator()
            let request = try #require(await frames.next())
            let answered = try await loop.flatSubmit {
                connection.startSingleFrame(ScoringService.scoreBatch, request, timeout: .seconds(60)).map { answer in
                    (answer, loop.inEventLoop)
                }
            }.get()
            #expect(answered.0.crms == request.crms)
            #expect(answered.0.probabilities == request.features)
            #expect(answered.1, "the answer was delivered off the connection's event loop")
            #expect(echo.batchFramesServed == 1)
        }
    }

    @Test("a streamed call answers every frame in order, large frames compressed on the way")
    func streaming() async throws {
        let echo = EchoService()
        try await withEchoConnection(echo: echo) { connection, _, _ in
            let frames = RequestFrames(count: 200, rows: 1000)
            let answers = try await connection.bidirectional(ScoringService.scoreBatch, requests: frames) { answers in
                var collected: [ScoreBatchResponse] = []
                for try await answer in answers { collected.append(answer) }
                return collected
            }
            #expect(answers.count == 200)
            var expected = frames.makeAsyncIterator()
            for answer in answers {
                let request = await expected.next()!
                #expect(answer.crms == request.crms)
                #expect(answer.probabilities == request.features)
            }
            #expect(echo.batchFramesServed == 200)
        }
    }

    @Test("1,000 concurrent calls share one connection")
    func thousandConcurrentStreams() async throws {
        // About streams, not load: in a debug build on shared cores the burst's last calls wait
        // a quarter of a second or more to be read, and the server would rightly shed those past
        // its arrival-delay limit (AdmissionTests and RPCStreamHandlerTests cover that).
        let servesEveryCall: (inout RPCServerConfiguration) -> Void = { $0.limits.maxArrivalDelay = nil }
        try await withEchoConnection(configure: servesEveryCall) { connection, _, _ in
            let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
                for crm in 0..<1000 {
                    group.addTask {
                        let answer = try await connection.unary(
                            ScoringService.score,
                            ScoreRequest(crm: UInt64(crm), features: [Double(crm)]),
                            timeout: .seconds(30)
                        )
                        return answer.crm == UInt64(crm) && answer.probability == Double(crm)
                    }
                }
                var correct = 0
                for try await ok in group where ok { correct += 1 }
                return correct
            }
            #expect(answered == 1000)
        }
    }

    @Test("a caller that stops reading stops the server reading: memory stays bounded, nothing is lost")
    func slowReader() async throws {
        let echo = EchoService()
        try await withEchoConnection(echo: echo) { connection, _, _ in
            let sent = NIOLockedValueBox(0)
            // 3,000 frames of 1,000 rows: 36 MB of answers the caller will not read for a while.
            let frames = CountingFrames(inner: RequestFrames(count: 3000, rows: 1000), sent: sent)
            let received = try await connection.bidirectional(ScoringService.scoreBatch, requests: frames) {
                answers in
                // Do not read: wait until the server has stopped serving frames.
                var last = -1
                while echo.batchFramesServed != last {
                    last = echo.batchFramesServed
                    try await Task.sleep(for: .milliseconds(300))
                }
                let servedWhileStalled = echo.batchFramesServed
                let sentWhileStalled = sent.withLockedValue { $0 }
                // Bounded: the answers held are what the caller's window and the stream's buffer
                // take (~1 MiB of 12 KB answers), far from the 3,000 offered.
                #expect(servedWhileStalled < 400)
                #expect(sentWhileStalled < 800)
                var count = 0
                for try await answer in answers {
                    #expect(answer.crms.first == UInt64(count * 1000))
                    count += 1
                }
                return count
            }
            #expect(received == 3000)
            #expect(echo.batchFramesServed == 3000)
        }
    }

    @Test("a node keeps serving while many connections come and go")
    func manyConnections() async throws {
        try await withEchoConnection { _, port, pki in
            for round in 0..<20 {
                let connection = try await connect(port, tls: pki.clientTLS())
                let answer = try await connection.unary(ScoringService.score, ScoreRequest(crm: UInt64(round)))
                #expect(answer.crm == UInt64(round))
                connection.close()
            }
        }
    }
}

/// Counts the frames taken from `inner`.
struct CountingFrames: AsyncSequence, Sendable {
    typealias Element = ScoreBatchRequest
    let inner: RequestFrames
    let sent: NIOLockedValueBox<Int>

    func makeAsyncIterator() -> Iterator { Iterator(inner: self.inner.makeAsyncIterator(), sent: self.sent) }

    struct Iterator: AsyncIteratorProtocol {
        var inner: RequestFrames.Iterator
        let sent: NIOLockedValueBox<Int>

        mutating func next() async -> ScoreBatchRequest? {
            let next = await self.inner.next()
            if next != nil { self.sent.withLockedValue { $0 += 1 } }
            return next
        }
    }
}
