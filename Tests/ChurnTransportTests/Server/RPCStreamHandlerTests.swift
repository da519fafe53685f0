import ChurnTesting
import ChurnWire
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import ChurnTransport

/// The stream handler in an `EmbeddedChannel`: HTTP/2 frame payloads in, payloads out, no sockets.
@Suite("RPC stream handler", .onOwnEventLoops)
struct RPCStreamHandlerTests {
    static func channel(
        router: RPCRouter = EchoService().router,
        reads: ReadCounter? = nil,
        admission: CallAdmission = CallAdmission(callLimit: 256),
        arrivals: ArrivalDelay? = ArrivalDelay(),
        standingQueue: StandingQueueDetector? = nil,
        limits: RPCServerConfiguration.Limits = RPCServerConfiguration.Limits()
    ) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        if let reads { try channel.pipeline.syncOperations.addHandler(reads) }
        try channel.pipeline.syncOperations.addHandler(
            RPCStreamHandler(
                router: router,
                limits: limits,
                admission: admission,
                arrivals: arrivals,
                standingQueue: standingQueue,
                logger: quietLogger(),
                drain: nil,
                deadlineArming: nil
            )
        )
        return channel
    }

    /// Where an embedded stream is "connected", so that `isActive` tells whether it was closed.
    static let peer = try! SocketAddress(ipAddress: "127.0.0.1", port: 7443)

    static func requestHeaders(
        path: String = ScoringService.score.path,
        extra: [(String, String)] = []
    )
        -> HTTP2Frame.FramePayload
    {
        .headers(.init(headers: RPCConnection.headers(path: path, extra: extra)))
    }

    static func data(_ bytes: some Sequence<UInt8>, end: Bool) -> HTTP2Frame.FramePayload {
        .data(.init(data: .byteBuffer(ByteBuffer(bytes: Array(bytes))), endStream: end))
    }

    /// The answer written: response headers' :status and the frames of the DATA that followed.
    static func answer(of channel: EmbeddedChannel) throws -> (status: String?, frames: [Frame], ended: Bool) {
        var status: String?
        var bytes = ByteBuffer()
        var ended = false
        while let payload = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) {
            switch payload {
            case .headers(let headers):
                status = headers.headers.first(name: ":status")
            case .data(let data):
                if case .byteBuffer(var buffer) = data.data { bytes.writeBuffer(&buffer) }
                ended = ended || data.endStream
            default:
                break
            }
        }
        var frames: [Frame] = []
        while let frame = try FrameParser().nextFrame(from: &bytes) { frames.append(frame) }
        return (status, frames, ended)
    }

    @Test("a unary request, whole or dripped in one byte at a time, gets the same one answer")
    func unaryWholeAndDripped() throws {
        let request = RPCConnection.frame(ScoreRequest(crm: 77, productGroup: "tolls", features: [1.5, 2]))
        for chunks in [[request], request.map { [$0] }] {
            let channel = try Self.channel()
            try channel.writeInbound(Self.requestHeaders())
            for (index, chunk) in chunks.enumerated() {
                try channel.writeInbound(Self.data(chunk, end: index == chunks.count - 1))
            }
            let answer = try Self.answer(of: channel)
            #expect(answer.status == "200")
            #expect(answer.ended)
            #expect(answer.frames.count == 1)
            let response = try #require(answer.frames.first).decode(as: ScoreResponse.self)
            #expect(response.crm == 77)
            #expect(response.probability == 3.5)
            _ = try channel.finish()
        }
    }

    @Test("a stream answers each frame as it arrives and ends when the request ends")
    func streaming() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.requestHeaders(path: ScoringService.scoreBatch.path))
        for index in 0..<3 {
            try channel.writeInbound(
                Self.data(RPCConnection.frame(ScoreBatchRequest(crms: [UInt64(index)]), flags: []), end: false)
            )
            let answer = try Self.answer(of: channel)
            #expect(answer.status == (index == 0 ? "200" : nil))
            #expect(try answer.frames.map { try $0.decode(as: ScoreBatchResponse.self).crms } == [[UInt64(index)]])
            #expect(!answer.ended)
        }
        try channel.writeInbound(Self.data([], end: true))
        let end = try Self.answer(of: channel)
        #expect(end.ended)
        #expect(end.frames.isEmpty)
        _ = try channel.finish()
    }

    @Test("past the limit of calls in progress a call is answered OVERLOADED at once, and ended calls free places")
    func shedsPastTheLimit() throws {
        let admission = CallAdmission(callLimit: 1)
        let first = try Self.channel(admission: admission)
        try first.writeInbound(Self.requestHeaders(path: ScoringService.scoreBatch.path))
        #expect(admission.callsInProgress == 1)

        let second = try Self.channel(admission: admission)
        try second.connect(to: Self.peer).wait()
        try second.writeInbound(Self.requestHeaders(path: ScoringService.scoreBatch.path))
        let shed = try Self.answer(of: second)
        #expect(shed.status == "200")
        #expect(shed.ended)
        let frame = try #require(shed.frames.first)
        #expect(frame.isError)
        let reply = try frame.decode(as: ErrorReply.self)
        #expect(reply.status == .overloaded)
        #expect(reply.retryAfterMs == 1)
        #expect(reply.message.contains("limit of 1 calls in progress"))
        #expect(admission.callsInProgress == 1)
        #expect(admission.callsShed == 1)
        // Its request has not ended: the stream is left to the caller (which cancels it on
        // reading the answer), not reset under the request's bytes on their way.
        #expect(second.isActive)

        // The first call ends normally: its place is free for the next.
        try first.writeInbound(Self.data(RPCConnection.frame(ScoreBatchRequest(crms: [1]), flags: []), end: true))
        #expect(try Self.answer(of: first).ended)
        #expect(admission.callsInProgress == 0)

        // A call whose stream closes before it ends (a caller's reset) gives its place back too.
        let third = try Self.channel(admission: admission)
        try third.writeInbound(Self.requestHeaders(path: ScoringService.scoreBatch.path))
        #expect(admission.callsInProgress == 1)
        try third.close().wait()
        #expect(admission.callsInProgress == 0)

        // A call refused for bad headers never takes a place.
        let bad = try Self.channel(admission: admission)
        try bad.writeInbound(Self.requestHeaders(path: "/churn.v1.Nothing/Here"))
        #expect(try Self.answer(of: bad).status == "404")
        #expect(admission.callsInProgress == 0)
        for channel in [first, bad] { _ = try? channel.finish() }
    }

    @Test("an error answer to a call whose request has ended closes its stream at once")
    func errorAfterTheRequestEndedCloses() throws {
        let channel = try Self.channel()
        try channel.connect(to: Self.peer).wait()
        try channel.writeInbound(
            HTTP2Frame.FramePayload.headers(
                .init(headers: RPCConnection.headers(path: "/churn.v1.Nowhere/Nothing"), endStream: true)
            )
        )
        let answer = try Self.answer(of: channel)
        #expect(answer.ended)
        #expect(try #require(answer.frames.first).isError)
        #expect(!channel.isActive)
    }

    @Test(
        "an error answer to a call whose request is still arriving leaves the stream to the caller, for at most the grace"
    )
    func errorBeforeTheRequestEndedWaitsForTheCaller() throws {
        let channel = try Self.channel(limits: .init(answeredRequestGrace: .seconds(5)))
        try channel.connect(to: Self.peer).wait()
        try channel.writeInbound(Self.requestHeaders(path: "/churn.v1.Nowhere/Nothing"))
        let answer = try Self.answer(of: channel)
        #expect(answer.ended)
        #expect(try #require(answer.frames.first).isError)
        #expect(channel.isActive)
        // The rest of the request, still on its way when the answer went out, is read and dropped.
        try channel.writeInbound(Self.data(RPCConnection.frame(ScoreRequest(crm: 8, features: [1])), end: false))
        #expect(try Self.answer(of: channel).frames.isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(4_999))
        #expect(channel.isActive)
        // A caller that neither ends nor cancels the request is reset at the grace.
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
    }

    @Test(
        "a call that waited longer than the limit to arrive while others are in progress is answered OVERLOADED, never scored"
    )
    func shedsLateCalls() throws {
        let reasons = NIOLockedValueBox<[CallAdmission.ShedReason]>([])
        let admission = CallAdmission(callLimit: 256) { reason in reasons.withLockedValue { $0.append(reason) } }
        let arrivals = ArrivalDelay()
        let request = RPCConnection.frame(ScoreRequest(crm: 8, features: [1]))
        let now = WallClock.nowMilliseconds()
        // Another call in progress: the server has work in hand.
        let busy = try Self.channel(admission: admission, arrivals: arrivals)
        try busy.writeInbound(Self.requestHeaders())
        // On time (this sets the connection's baseline), then 2 s late, then on time again.
        for (sentAt, late) in [(now, false), (now - 2_000, true), (now, false)] {
            let channel = try Self.channel(admission: admission, arrivals: arrivals)
            try channel.writeInbound(Self.requestHeaders(extra: [(RPCProtocol.sentAtHeader, String(sentAt))]))
            if !late { try channel.writeInbound(Self.data(request, end: true)) }
            let answer = try Self.answer(of: channel)
            let frame = try #require(answer.frames.first)
            #expect(answer.status == "200")
            if late {
                let reply = try frame.decode(as: ErrorReply.self)
                #expect(reply.status == .overloaded)
                #expect(reply.message.contains("limit 1000 ms"))
                #expect((2_000...2_100).contains(reply.retryAfterMs ?? 0))
            } else {
                #expect(try frame.decode(as: ScoreResponse.self).crm == 8)
            }
            _ = try? channel.finish()
        }
        #expect(admission.callsShed == 1)
        #expect(reasons.withLockedValue { $0 } == [.lateAtHeaders])
        _ = try? busy.finish()
        #expect(admission.callsInProgress == 0)
    }

    @Test("an idle server serves a late call: the wait was not in its queue")
    func servesLateCallsWhenIdle() throws {
        let admission = CallAdmission(callLimit: 256)
        let arrivals = ArrivalDelay()
        let request = RPCConnection.frame(ScoreRequest(crm: 8, features: [1]))
        let now = WallClock.nowMilliseconds()
        for sentAt in [now, now - 2_000] {
            let channel = try Self.channel(admission: admission, arrivals: arrivals)
            try channel.writeInbound(Self.requestHeaders(extra: [(RPCProtocol.sentAtHeader, String(sentAt))]))
            try channel.writeInbound(Self.data(request, end: true))
            let frame = try #require(try Self.answer(of: channel).frames.first)
            #expect(try frame.decode(as: ScoreResponse.self).crm == 8)
            _ = try? channel.finish()
        }
        #expect(admission.callsShed == 0)
    }

    @Test("a call whose HEADERS came in time but whose first frame came late is shed before it is served")
    func shedsCallsWhoseBodyCameLate() throws {
        let reasons = NIOLockedValueBox<[CallAdmission.ShedReason]>([])
        let admission = CallAdmission(callLimit: 256) { reason in reasons.withLockedValue { $0.append(reason) } }
        let arrivals = ArrivalDelay()
        var limits = RPCServerConfiguration.Limits()
        limits.maxArrivalDelay = .milliseconds(200)
        let request = RPCConnection.frame(ScoreRequest(crm: 8, features: [1]))
        // On time, to set the connection's baseline.
        let onTime = try Self.channel(admission: admission, arrivals: arrivals, limits: limits)
        let now = WallClock.nowMilliseconds()
        try onTime.writeInbound(Self.requestHeaders(extra: [(RPCProtocol.sentAtHeader, String(now))]))
        try onTime.writeInbound(Self.data(request, end: true))
        _ = try onTime.finish()
        let busy = try Self.channel(admission: admission, arrivals: arrivals, limits: limits)
        try busy.writeInbound(Self.requestHeaders())
        // HEADERS 150 ms after sending (in time), the body 100 ms later still (too late).
        let late = try Self.channel(admission: admission, arrivals: arrivals, limits: limits)
        let sentAt = WallClock.nowMilliseconds() - 150
        try late.writeInbound(Self.requestHeaders(extra: [(RPCProtocol.sentAtHeader, String(sentAt))]))
        #expect(admission.callsInProgress == 2)
        Thread.sleep(forTimeInterval: 0.1)
        try late.writeInbound(Self.data(request, end: true))
        let reply = try #require(try Self.answer(of: late).frames.first).decode(as: ErrorReply.self)
        #expect(reply.status == .overloaded)
        #expect(reply.message.contains("limit 200 ms"))
        // At least 250 ms, less the few milliseconds the on-time call's baseline may itself
        // carry (its own stamp and its arrival can fall on either side of a millisecond).
        #expect((245...2_000).contains(reply.retryAfterMs ?? 0))
        _ = try? late.finish()
        #expect(admission.callsShed == 1)
        #expect(reasons.withLockedValue { $0 } == [.lateAtFirstFrame])
        _ = try? busy.finish()
        #expect(admission.callsInProgress == 0)
    }

    @Test(
        "while a connection's queue stands, a call that waited past the target is shed; one call in time ends it"
    )
    func shedsCallsOfAStandingQueue() throws {
        let reasons = NIOLockedValueBox<[CallAdmission.ShedReason]>([])
        let admission = CallAdmission(callLimit: 256) { reason in reasons.withLockedValue { $0.append(reason) } }
        let arrivals = ArrivalDelay()
        let standingQueue = StandingQueueDetector(.init(target: .milliseconds(50), interval: .milliseconds(500)))
        let request = RPCConnection.frame(ScoreRequest(crm: 8, features: [1]))
        let busy = try Self.channel(admission: admission, arrivals: arrivals, standingQueue: standingQueue)
        try busy.writeInbound(Self.requestHeaders())
        /// Sends a call that waited `late` ms (within the 1 s arrival limit): whether it was scored.
        func call(waited late: Int64) throws -> ErrorReply? {
            let channel = try Self.channel(admission: admission, arrivals: arrivals, standingQueue: standingQueue)
            defer { _ = try? channel.finish() }
            let sentAt = WallClock.nowMilliseconds() - late
            try channel.writeInbound(Self.requestHeaders(extra: [(RPCProtocol.sentAtHeader, String(sentAt))]))
            // A shed call's body, already on its way, is read and dropped.
            try channel.writeInbound(Self.data(request, end: true))
            let frame = try #require(try Self.answer(of: channel).frames.first)
            if frame.isError { return try frame.decode(as: ErrorReply.self) }
            #expect(try frame.decode(as: ScoreResponse.self).crm == 8)
            return nil
        }
        // In time (the connection's baseline), then 300 ms late: a queue, not yet a standing one.
        #expect(try call(waited: 0) == nil)
        #expect(try call(waited: 300) == nil)
        // Every call since the first has waited past the target for longer than the interval.
        Thread.sleep(forTimeInterval: 0.6)
        let shed = try #require(try call(waited: 300))
        #expect(shed.status == .overloaded)
        #expect(shed.message.contains("limit 50 ms"))
        #expect(shed.message.contains("standing queue"))
        #expect((300...1_000).contains(shed.retryAfterMs ?? 0))
        // A call in time shows the queue drained: late calls are served again, up to the 1 s limit.
        #expect(try call(waited: 0) == nil)
        #expect(try call(waited: 300) == nil)
        #expect(reasons.withLockedValue { $0 } == [.standingQueue])
        _ = try? busy.finish()
        #expect(admission.callsInProgress == 0)
    }

    @Test("bytes of unfinished frames count against the server's limit until the frame completes or the call ends")
    func bytesArrivingAreCounted() throws {
        let admission = CallAdmission(callLimit: 10, byteLimit: 64)
        let frame = RPCConnection.frame(
            ScoreBatchRequest(crms: [1], features: Array(repeating: 1.5, count: 20)),
            flags: []
        )
        #expect(frame.count > 64)
        let first = try Self.channel(admission: admission)
        try first.writeInbound(Self.requestHeaders(path: ScoringService.scoreBatch.path))
        try first.writeInbound(Self.data(frame.prefix(frame.count - 1), end: false))
        #expect(admission.bytesArriving == frame.count - 1)

        let second = try Self.channel(admission: admission)
        try second.connect(to: Self.peer).wait()
        try second.writeInbound(Self.requestHeaders(path: ScoringService.scoreBatch.path))
        let shed = try #require(try Self.answer(of: second).frames.first).decode(as: ErrorReply.self)
        #expect(shed.status == .overloaded)
        #expect(shed.message.contains("bytes of requests still arriving"))

        // The frame completes and is answered: nothing is held any more.
        try first.writeInbound(Self.data(frame.suffix(1), end: false))
        #expect(try Self.answer(of: first).frames.count == 1)
        #expect(admission.bytesArriving == 0)
        // Half a frame again, then the stream closes: what it held is let go with its place.
        try first.writeInbound(Self.data(frame.prefix(10), end: false))
        #expect(admission.bytesArriving == 10)
        try first.close().wait()
        #expect(admission.bytesArriving == 0)
        #expect(admission.callsInProgress == 0)
    }

    @Test("while the stream cannot take answers, the handler asks for no more request bytes")
    func readsWaitForWritability() throws {
        let reads = ReadCounter()
        let channel = try Self.channel(reads: reads)
        channel.isWritable = false
        channel.read()
        #expect(reads.count == 0)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(reads.count == 1)
        channel.read()
        #expect(reads.count == 2)
        _ = try channel.finish()
    }
}

/// Counts the reads that reach the front of the pipeline.
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    private(set) var count = 0

    func read(context: ChannelHandlerContext) {
        self.count += 1
        context.read()
    }
}
