internal import ChurnWire
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

/// Cuts wire frames out of a response stream's HEADERS and DATA, checking what an RPC answer
/// must look like: a `:status`, the wire content type, no bytes after the end.
struct ResponseFrameReader {
    let limits: WireLimits
    /// Answer bytes received and not yet cut into frames.
    private var pending: FrameAccumulator
    private var sawHeaders = false
    private var httpStatus: String?
    /// Whether the server ended the stream (END_STREAM).
    private(set) var ended = false

    init(limits: WireLimits) {
        self.limits = limits
        self.pending = FrameAccumulator(parser: FrameParser(limits: limits, acceptsCompression: true))
    }

    /// Takes one HTTP/2 frame of the response.
    mutating func receive(_ payload: HTTP2Frame.FramePayload) throws(RPCError) {
        switch payload {
        case .headers(let headers):
            if !self.sawHeaders {
                self.sawHeaders = true
                self.httpStatus = headers.headers.first(name: ":status")
                let type = headers.headers.first(name: "content-type")
                guard let type, type.hasPrefix(RPCProtocol.contentType) else {
                    throw RPCError(
                        .internal,
                        "the server answered HTTP \(self.httpStatus ?? "?") with content-type \(type ?? "none"), not a ChurnGuard RPC answer"
                    )
                }
            }
            if headers.endStream { self.ended = true }
        case .data(let data):
            guard self.sawHeaders else { throw RPCError(.internal, "the server sent data before headers") }
            if case .byteBuffer(let bytes) = data.data { self.pending.append(bytes) }
            if data.endStream { self.ended = true }
        case .rstStream(let code):
            self.ended = true
            throw Self.error(forReset: code)
        default:
            break
        }
    }

    /// The next complete frame, if one has arrived.
    mutating func nextFrame() throws(RPCError) -> Frame? {
        let frame: Frame?
        do throws(WireError) {
            frame = try self.pending.nextFrame()
        } catch {
            throw RPCError(.internal, "the server's answer is malformed: \(error)", cause: error)
        }
        if frame == nil, self.ended, self.pending.heldBytes > 0 {
            throw RPCError(.internal, "the server's answer ended inside a frame")
        }
        return frame
    }

    static func error(forReset code: HTTP2ErrorCode) -> RPCError {
        switch code {
        case .refusedStream:
            RPCError(.unavailable, "the server refused the stream before serving it (draining or at its stream limit)")
        case .cancel:
            RPCError(.unavailable, "the server cancelled the call")
        case .enhanceYourCalm:
            RPCError(.overloaded, "the server asked to slow down (ENHANCE_YOUR_CALM)")
        default:
            RPCError(.unavailable, "the server reset the stream (\(code))")
        }
    }
}
