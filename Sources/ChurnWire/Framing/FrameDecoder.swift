public import NIOCore

/// A `ByteToMessageDecoder` that turns an RPC body's bytes into ``Frame``s with a ``FrameParser``.
///
/// - Important: Confined to its channel's event loop, like every handler.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    /// The parser that checks limits and decompresses.
    public var parser: FrameParser

    /// Makes a decoder.
    public init(parser: FrameParser = FrameParser()) {
        self.parser = parser
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try self.parser.nextFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        if try self.decode(context: context, buffer: &buffer) == .continue { return .continue }
        guard buffer.readableBytes == 0 else {
            throw WireError(
                .truncated,
                "the stream ended inside a frame (\(buffer.readableBytes) bytes left)",
                offset: 0
            )
        }
        return .needMoreData
    }
}
