import ChurnWire
import NIOCore
import NIOHPACK
import NIOHTTP2

@testable import ChurnTransport

/// What came back on a stream driven by hand.
struct RawAnswer {
    var status: String?
    var frames: [Frame] = []
    var reset: HTTP2ErrorCode?
    var ended = false

    /// The error the answer's error frame carries, if it has one.
    var error: RPCError? {
        guard let frame = self.frames.first(where: \.isError) else { return nil }
        return (try? ErrorReply(decoding: frame.payload)).map(RPCError.init(reply:))
    }
}

extension RPCConnection {
    /// Sends `headers` and `chunks` as they are (each chunk one DATA frame; the last ends the
    /// request unless `endRequest` is false) and collects the answer until the server ends or
    /// resets the stream. With `abandon`, the stream is closed (reset) right after sending.
    func raw(
        headers: HPACKHeaders,
        chunks: [[UInt8]],
        endRequest: Bool = true,
        abandon: Bool = false
    ) async throws -> RawAnswer {
        let stream = try await self.openStream()
        return try await stream.executeThenClose { inbound, outbound in
            try await outbound.write(.headers(.init(headers: headers, endStream: endRequest && chunks.isEmpty)))
            for (index, chunk) in chunks.enumerated() {
                let last = index == chunks.count - 1
                try await outbound.write(
                    .data(.init(data: .byteBuffer(ByteBuffer(bytes: chunk)), endStream: endRequest && last))
                )
            }
            var answer = RawAnswer()
            if abandon { return answer }
            var pending = ByteBuffer()
            let parser = FrameParser()
            for try await payload in inbound {
                switch payload {
                case .headers(let block):
                    answer.status = answer.status ?? block.headers.first(name: ":status")
                    if block.endStream { answer.ended = true }
                case .data(let data):
                    if case .byteBuffer(var bytes) = data.data { pending.writeBuffer(&bytes) }
                    while let frame = try parser.nextFrame(from: &pending) { answer.frames.append(frame) }
                    if data.endStream { answer.ended = true }
                case .rstStream(let code):
                    answer.reset = code
                default:
                    break
                }
                if answer.ended || answer.reset != nil { break }
            }
            return answer
        }
    }

    static func headers(
        path: String = ScoringService.score.path,
        method: String = "POST",
        contentType: String = RPCProtocol.contentType,
        extra: [(String, String)] = []
    ) -> HPACKHeaders {
        var headers: HPACKHeaders = [
            ":method": method, ":scheme": "https", ":path": path, ":authority": "localhost",
            "content-type": contentType,
        ]
        for (name, value) in extra { headers.add(name: name, value: value) }
        return headers
    }

    /// One request frame holding `message`.
    static func frame(_ message: some WireMessage, flags: FrameFlags = .end) -> [UInt8] {
        var encoder = FrameEncoder()
        var buffer = ByteBuffer()
        encoder.encode(message, flags: flags, into: &buffer)
        return Array(buffer.readableBytesView)
    }
}
