import ChurnTesting
import ChurnWire
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import ChurnTransport

/// The stream handler in an `EmbeddedChannel`: HTTP/2 frame payloads in, payloads out, no sockets.
@Suite("RPC stream handler")
struct RPCStreamHandlerTests {
    static func channel(reads: ReadCounter? = nil) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        if let reads { try channel.pipeline.syncOperations.addHandler(reads) }
        try channel.pipeline.syncOperations.addHandler(
            RPCStreamHandler(
                router: EchoService().router,
                limits: RPCServerConfiguration.Limits(),
                logger: quietLogger(),
                drain: nil
            )
        )
        return channel
    }

    static func requestHeaders(path: String = ScoringService.score.path) -> HTTP2Frame.FramePayload {
        .headers(.init(headers: RPCConnection.headers(path: path)))
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
