import ChurnTesting
import ChurnWire
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP2
import Testing

@testable import ChurnTransport

/// Routes registered with `completingLater`, served by the stream handler in an `EmbeddedChannel`:
/// the test completes each call's work by hand.
@Suite("Deferred routes", .onOwnEventLoops)
struct DeferredRouteTests {
    /// Work started by the deferred handlers, in order, for the test to complete.
    final class StartedWork: Sendable {
        private let unary = NIOLockedValueBox<[(ScoreRequest, EventLoopPromise<ScoreResponse>)]>([])
        private let batch = NIOLockedValueBox<[(ScoreBatchRequest, EventLoopPromise<ScoreBatchResponse>)]>([])

        var router: RPCRouter {
            var router = RPCRouter()
            router.register(
                ScoringService.score,
                completingLater: { request, _, loop in
                    let promise = loop.makePromise(of: ScoreResponse.self)
                    self.unary.withLockedValue { $0.append((request, promise)) }
                    return promise.futureResult
                }
            )
            router.register(
                ScoringService.scoreBatch,
                completingLater: { request, _, loop in
                    let promise = loop.makePromise(of: ScoreBatchResponse.self)
                    self.batch.withLockedValue { $0.append((request, promise)) }
                    return promise.futureResult
                }
            )
            return router
        }

        var unaryStarted: [(ScoreRequest, EventLoopPromise<ScoreResponse>)] { self.unary.withLockedValue { $0 } }
        var batchStarted: [(ScoreBatchRequest, EventLoopPromise<ScoreBatchResponse>)] {
            self.batch.withLockedValue { $0 }
        }
    }

    static let answer = RPCStreamHandlerTests.answer(of:)

    @Test("a unary call is answered when its work completes, and holds its place until then")
    func unaryAnsweredLater() throws {
        let work = StartedWork()
        let admission = CallAdmission(callLimit: 4)
        let channel = try RPCStreamHandlerTests.channel(router: work.router, admission: admission)
        try channel.writeInbound(RPCStreamHandlerTests.requestHeaders())
        try channel.writeInbound(RPCStreamHandlerTests.data(RPCConnection.frame(ScoreRequest(crm: 41)), end: true))
        #expect(work.unaryStarted.map(\.0.crm) == [41])
        #expect(try Self.answer(channel).frames.isEmpty)
        #expect(admission.callsInProgress == 1)

        work.unaryStarted[0].1.succeed(ScoreResponse(crm: 41, probability: 0.25))
        let answer = try Self.answer(channel)
        #expect(answer.ended)
        #expect(try answer.frames.map { try $0.decode(as: ScoreResponse.self).probability } == [0.25])
        #expect(admission.callsInProgress == 0)
        _ = try? channel.finish()
    }

    @Test("work that fails with an RPCError ends the call with it; any other failure is INTERNAL")
    func failures() throws {
        struct Unexpected: Error {}
        for (failure, status) in [
            (RPCError(.unavailable, "database down") as any Error, WireStatus.unavailable), (Unexpected(), .internal),
        ] {
            let work = StartedWork()
            let channel = try RPCStreamHandlerTests.channel(router: work.router)
            try channel.writeInbound(RPCStreamHandlerTests.requestHeaders())
            try channel.writeInbound(RPCStreamHandlerTests.data(RPCConnection.frame(ScoreRequest(crm: 1)), end: true))
            work.unaryStarted[0].1.fail(failure)
            let answer = try Self.answer(channel)
            #expect(answer.ended)
            let frame = try #require(answer.frames.first)
            #expect(frame.isError)
            #expect(try frame.decode(as: ErrorReply.self).status == status)
            _ = try? channel.finish()
        }
    }

    @Test("a stream reads no further frame until the pending answer is out, so answers stay in order")
    func streamInOrder() throws {
        let work = StartedWork()
        let channel = try RPCStreamHandlerTests.channel(router: work.router)
        try channel.writeInbound(RPCStreamHandlerTests.requestHeaders(path: ScoringService.scoreBatch.path))
        // Two frames and the request's end arrive at once.
        let frames = [1, 2].flatMap { RPCConnection.frame(ScoreBatchRequest(crms: [UInt64($0)]), flags: []) }
        try channel.writeInbound(RPCStreamHandlerTests.data(frames, end: true))
        #expect(work.batchStarted.map(\.0.crms) == [[1]])

        work.batchStarted[0].1.succeed(ScoreBatchResponse(crms: [1]))
        let first = try Self.answer(channel)
        #expect(first.status == "200")
        #expect(try first.frames.map { try $0.decode(as: ScoreBatchResponse.self).crms } == [[1]])
        #expect(!first.ended)
        #expect(work.batchStarted.map(\.0.crms) == [[1], [2]])

        work.batchStarted[1].1.succeed(ScoreBatchResponse(crms: [2]))
        let second = try Self.answer(channel)
        #expect(try second.frames.map { try $0.decode(as: ScoreBatchResponse.self).crms } == [[2]])
        #expect(second.ended)
        _ = try? channel.finish()
    }

    @Test("a deadline that passes while the work runs is answered DEADLINE_EXCEEDED, and the late answer dropped")
    func deadlineWhileWorking() throws {
        let work = StartedWork()
        let admission = CallAdmission(callLimit: 4)
        let channel = try RPCStreamHandlerTests.channel(router: work.router, admission: admission)
        try channel.connect(to: RPCStreamHandlerTests.peer).wait()
        try channel.writeInbound(
            RPCStreamHandlerTests.requestHeaders(extra: [(RPCProtocol.timeoutHeader, "100")])
        )
        try channel.writeInbound(RPCStreamHandlerTests.data(RPCConnection.frame(ScoreRequest(crm: 3)), end: true))
        #expect(work.unaryStarted.count == 1)
        channel.embeddedEventLoop.advanceTime(to: .now() + .milliseconds(200))
        let answer = try Self.answer(channel)
        #expect(answer.ended)
        #expect(try #require(answer.frames.first).decode(as: ErrorReply.self).status == .deadlineExceeded)
        #expect(admission.callsInProgress == 0)

        work.unaryStarted[0].1.succeed(ScoreResponse(crm: 3))
        #expect(try Self.answer(channel).frames.isEmpty)
        _ = try? channel.finish()
    }

    @Test("a stream closed while its work runs drops the answer and gives its place back")
    func closedWhileWorking() throws {
        let work = StartedWork()
        let admission = CallAdmission(callLimit: 4)
        let channel = try RPCStreamHandlerTests.channel(router: work.router, admission: admission)
        try channel.connect(to: RPCStreamHandlerTests.peer).wait()
        try channel.writeInbound(RPCStreamHandlerTests.requestHeaders())
        try channel.writeInbound(RPCStreamHandlerTests.data(RPCConnection.frame(ScoreRequest(crm: 9)), end: true))
        _ = try Self.answer(channel)
        try channel.close().wait()
        #expect(admission.callsInProgress == 0)
        work.unaryStarted[0].1.succeed(ScoreResponse(crm: 9))
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
    }
}
