public import NIOCore

/// Writes messages as frames, compressing large payloads with LZ4 when the peer accepts it.
///
/// ```swift
/// var encoder = FrameEncoder(configuration: .defaults, peerAcceptsCompression: true)
/// var out = ByteBuffer()
/// encoder.encode(response, flags: .end, into: &out)
/// ```
public struct FrameEncoder: Sendable {
    /// How frames are written.
    public struct Configuration: Sendable, Hashable {
        /// Payloads of at least this many bytes are compressed when the peer accepts it; nil never
        /// compresses. Default 4096: below that, LZ4's CPU costs more than the bytes it saves.
        public var compressionThreshold: Int?

        /// Makes a configuration; every argument defaults to the value stated on its property.
        public init(compressionThreshold: Int? = 4096) {
            self.compressionThreshold = compressionThreshold
        }

        /// The defaults stated on each property.
        public static var defaults: Configuration { Configuration() }
    }

    /// How frames are written.
    public var configuration: Configuration
    /// Whether the peer said it accepts compressed frames (transport negotiates this).
    public var peerAcceptsCompression: Bool

    /// Scratch space for a payload about to be compressed, kept to avoid reallocating it.
    private var scratch: ByteBuffer

    /// Makes an encoder.
    public init(configuration: Configuration = .defaults, peerAcceptsCompression: Bool = false) {
        self.configuration = configuration
        self.peerAcceptsCompression = peerAcceptsCompression
        self.scratch = ByteBuffer()
    }

    /// Whether a payload of `size` bytes is compressed.
    @inlinable
    public func compresses(size: Int) -> Bool {
        guard self.peerAcceptsCompression, let threshold = self.configuration.compressionThreshold else { return false }
        return size >= threshold && size <= LZ4Block.maxInputSize
    }

    /// Appends `message` as one frame.
    ///
    /// - Parameter flags: `.error` and `.end` as wanted; `.compressed` is decided here and ignored
    ///   if passed.
    public mutating func encode(_ message: some WireMessage, flags: FrameFlags = [], into buffer: inout ByteBuffer) {
        let size = message.encodedSize
        let flags = flags.subtracting(.compressed)
        if self.compresses(size: size) {
            self.scratch.clear()
            message.encode(into: &self.scratch)
            self.encodePayload(self.scratch, flags: flags, into: &buffer)
            return
        }
        buffer.reserveCapacity(minimumWritableBytes: Frame.headerSize + size)
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(UInt32(size), endianness: .big)
        message.encode(into: &buffer)
    }

    /// Appends an already encoded payload as one frame.
    public mutating func encodePayload(_ payload: ByteBuffer, flags: FrameFlags = [], into buffer: inout ByteBuffer) {
        let flags = flags.subtracting(.compressed)
        let size = payload.readableBytes
        if self.compresses(size: size) {
            let headerIndex = buffer.writerIndex
            buffer.writeInteger(flags.union(.compressed).rawValue)
            buffer.writeInteger(UInt32(0), endianness: .big)
            buffer.writeInteger(UInt32(size), endianness: .big)
            let compressed = payload.withUnsafeReadableBytes { LZ4Block.compress($0, into: &buffer) }
            if let compressed {
                buffer.setInteger(
                    UInt32(Frame.compressedPrefixSize + compressed),
                    at: headerIndex + 1,
                    endianness: .big
                )
                return
            }
            // Incompressible: undo the header and send the bytes as they are.
            buffer.moveWriterIndex(to: headerIndex)
        }
        buffer.reserveCapacity(minimumWritableBytes: Frame.headerSize + size)
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(UInt32(size), endianness: .big)
        buffer.writeImmutableBuffer(payload)
    }
}
