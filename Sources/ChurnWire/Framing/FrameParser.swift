public import NIOCore

/// Cuts frames out of a byte stream, checking every limit on the five header bytes before it
/// waits for, buffers or allocates the payload.
///
/// Pure and incremental: feed it whatever bytes have arrived; it returns a frame when one is
/// complete and leaves partial bytes in the buffer.
public struct FrameParser: Sendable {
    /// The limits checked on every frame.
    public var limits: WireLimits
    /// Whether compressed frames are allowed (we told the peer we accept them).
    public var acceptsCompression: Bool

    /// Makes a parser.
    public init(limits: WireLimits = .defaults, acceptsCompression: Bool = true) {
        self.limits = limits
        self.acceptsCompression = acceptsCompression
    }

    /// Reads the next complete frame from `buffer`, or returns nil when more bytes are needed.
    ///
    /// - Throws: ``WireError`` for reserved flag bits, a declared size over the limits, or a
    ///   malformed compressed payload. After an error the stream cannot be resynchronised.
    public func nextFrame(from buffer: inout ByteBuffer) throws(WireError) -> Frame? {
        guard
            let flagsByte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 1, endianness: .big, as: UInt32.self)
        else { return nil }
        let flags = FrameFlags(rawValue: flagsByte)
        guard FrameFlags.known.isSuperset(of: flags) else {
            throw WireError(.invalidFrameFlags, "frame flags \(flagsByte) set reserved bits", offset: 0)
        }
        guard Int(length) <= self.limits.maxFrameSize else {
            throw WireError(
                .frameTooLarge,
                "frame declares \(length) bytes, the limit is \(self.limits.maxFrameSize)",
                offset: 1
            )
        }
        guard buffer.readableBytes >= Frame.headerSize + Int(length) else { return nil }
        if flags.contains(.compressed) {
            return try self.decompressFrame(flags: flags, length: Int(length), from: &buffer)
        }
        buffer.moveReaderIndex(forwardBy: Frame.headerSize)
        let payload = buffer.readSlice(length: Int(length))!
        return Frame(flags: flags, payload: payload)
    }

    private func decompressFrame(
        flags: FrameFlags,
        length: Int,
        from buffer: inout ByteBuffer
    ) throws(WireError) -> Frame {
        guard self.acceptsCompression else {
            throw WireError(
                .compressionNotAccepted,
                "a compressed frame arrived but compression was not offered",
                offset: 0
            )
        }
        guard length > Frame.compressedPrefixSize else {
            throw WireError(.malformedCompression, "compressed frame is shorter than its size prefix", offset: 1)
        }
        let declared = Int(
            buffer.getInteger(at: buffer.readerIndex + Frame.headerSize, endianness: .big, as: UInt32.self)!
        )
        guard declared <= self.limits.maxDecompressedSize else {
            throw WireError(
                .decompressedTooLarge,
                "compressed frame declares \(declared) bytes, the limit is \(self.limits.maxDecompressedSize)",
                offset: Frame.headerSize
            )
        }
        let blockStart = buffer.readerIndex + Frame.headerSize + Frame.compressedPrefixSize
        let blockLength = length - Frame.compressedPrefixSize
        var payload = ByteBuffer()
        let block = buffer.getSlice(at: blockStart, length: blockLength)!
        try block.withUnsafeReadableBytes { (memory) throws(WireError) in
            try LZ4Block.decompress(memory, decompressedSize: declared, into: &payload)
        }
        buffer.moveReaderIndex(forwardBy: Frame.headerSize + length)
        return Frame(flags: flags, payload: payload)
    }
}
