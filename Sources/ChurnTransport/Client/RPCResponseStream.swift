public import ChurnWire
internal import NIOCore
internal import NIOHTTP2

/// The answers of a streaming call, decoded frame by frame as they arrive. Iterating throws the
/// call's ``RPCError`` when the server ends it with an error frame, resets the stream, or the
/// connection fails; it ends when the server ends the stream.
///
/// Iterate it once, inside the call's closure (``RPCConnection/bidirectional(_:requests:timeout:handleResponses:)``):
/// backpressure reaches the server, which stops reading requests while answers go unread.
public struct RPCResponseStream<Response: WireMessage>: AsyncSequence {
    public typealias Element = Response

    let inbound: NIOAsyncChannelInboundStream<HTTP2Frame.FramePayload>
    let limits: WireLimits
    let failure: @Sendable (any Error) -> RPCError

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(inbound: self.inbound.makeAsyncIterator(), limits: self.limits, failure: self.failure)
    }

    /// Reads answers one at a time.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var inbound: NIOAsyncChannelInboundStream<HTTP2Frame.FramePayload>.AsyncIterator
        var reader: ResponseFrameReader
        let failure: @Sendable (any Error) -> RPCError

        init(
            inbound: NIOAsyncChannelInboundStream<HTTP2Frame.FramePayload>.AsyncIterator,
            limits: WireLimits,
            failure: @escaping @Sendable (any Error) -> RPCError
        ) {
            self.inbound = inbound
            self.reader = ResponseFrameReader(limits: limits)
            self.failure = failure
        }

        /// The next answer, or nil when the server ended the stream.
        ///
        /// - Throws: ``RPCError``.
        public mutating func next() async throws(RPCError) -> Response? {
            while true {
                if let frame = try self.reader.nextFrame() {
                    return try Self.decode(frame, limits: self.reader.limits)
                }
                if self.reader.ended { return nil }
                let payload: HTTP2Frame.FramePayload?
                do {
                    payload = try await self.inbound.next()
                } catch {
                    throw self.failure(error)
                }
                guard let payload else {
                    throw self.failure(RPCError(.unavailable, "the stream closed before the server ended it"))
                }
                try self.reader.receive(payload)
            }
        }

        static func decode(_ frame: Frame, limits: WireLimits) throws(RPCError) -> Response {
            if frame.isError {
                let reply: ErrorReply
                do throws(WireError) {
                    reply = try ErrorReply(decoding: frame.payload, limits: limits)
                } catch {
                    throw RPCError(.internal, "the server's error frame is malformed: \(error)", cause: error)
                }
                throw RPCError(reply: reply)
            }
            do throws(WireError) {
                return try Response(decoding: frame.payload, limits: limits)
            } catch {
                throw RPCError(.internal, "the server's answer is malformed: \(error)", cause: error)
            }
        }
    }
}

@available(*, unavailable)
extension RPCResponseStream.AsyncIterator: Sendable {}
