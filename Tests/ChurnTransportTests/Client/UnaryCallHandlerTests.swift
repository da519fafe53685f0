import ChurnTesting
import ChurnWire
import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP2
import Testing

@testable import ChurnTransport

/// The caller's side of a unary call in an `EmbeddedChannel`, whose clock only moves when told:
/// an answer can arrive after the deadline while the deadline's timer has not run yet, as it does
/// on a busy event loop.
@Suite("Unary call handler", .onOwnEventLoops)
struct UnaryCallHandlerTests {
    static func call(deadline: NIODeadline?) throws -> (EmbeddedChannel, EventLoopFuture<Frame>) {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: Frame.self)
        try channel.pipeline.syncOperations.addHandler(
            UnaryCallHandler(
                headers: RPCConnection.headers(path: ScoringService.score.path),
                body: ByteBuffer(bytes: RPCConnection.frame(ScoreRequest(crm: 5))),
                deadline: deadline,
                limits: WireLimits(),
                target: "test",
                promise: promise
            )
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7443)).wait()
        return (channel, promise.futureResult)
    }

    static func answer(to channel: EmbeddedChannel) throws {
        try channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: RPCStreamHandler.okHeaders)))
        let frame = RPCConnection.frame(ScoreResponse(crm: 5), flags: .end)
        try channel.writeInbound(
            HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(bytes: frame)), endStream: true))
        )
    }

    @Test("an answer in time is taken")
    func answerInTime() throws {
        let (channel, answer) = try Self.call(deadline: .now() + .seconds(60))
        try Self.answer(to: channel)
        #expect(try answer.wait().decode(as: ScoreResponse.self).crm == 5)
        _ = try? channel.finish()
    }

    @Test("an answer that arrives after the deadline fails DEADLINE_EXCEEDED though the timer has not run")
    func lateAnswerBeforeTheTimer() throws {
        let (channel, answer) = try Self.call(deadline: .now() + .milliseconds(5))
        usleep(20_000)
        try Self.answer(to: channel)
        #expect(throws: RPCError.self) { try answer.wait() }
        do {
            _ = try answer.wait()
        } catch let error as RPCError {
            #expect(error.status == .deadlineExceeded)
        }
        _ = try? channel.finish()
    }
}
