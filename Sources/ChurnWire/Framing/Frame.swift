public import NIOCore

/// One frame of an RPC body: flags and a payload holding one encoded message.
///
/// A decoded frame's payload is always decompressed; `flags` still say whether it was compressed
/// on the wire.
public struct Frame: Sendable, Hashable {
    /// The frame's flags.
    public var flags: FrameFlags
    /// The encoded message (decompressed).
    public var payload: ByteBuffer

    /// Makes a frame.
    public init(flags: FrameFlags = [], payload: ByteBuffer) {
        self.flags = flags
        self.payload = payload
    }

    /// The bytes before the payload: a flags byte and a 32-bit big-endian length.
    public static let headerSize = 5
    /// The bytes a compressed payload starts with: its decompressed length, 32-bit big-endian.
    public static let compressedPrefixSize = 4

    /// Whether the payload is an `ErrorReply`.
    public var isError: Bool { self.flags.contains(.error) }
    /// Whether this is the last frame its sender writes on the stream.
    public var isEnd: Bool { self.flags.contains(.end) }

    /// Decodes the payload as `M`.
    ///
    /// - Throws: ``WireError`` when the payload is not a valid `M`.
    public func decode<M: WireMessage>(as type: M.Type, limits: WireLimits = .defaults) throws(WireError) -> M {
        try M(decoding: self.payload, limits: limits)
    }
}
