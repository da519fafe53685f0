/// The flags byte that starts every frame (`wire/README.md`, "Frames").
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8

    /// Makes flags from the byte.
    @inlinable
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The payload is an LZ4 block preceded by its decompressed length.
    public static let compressed = FrameFlags(rawValue: 1 << 0)
    /// The payload is an `ErrorReply`, not the method's response message.
    public static let error = FrameFlags(rawValue: 1 << 1)
    /// The last frame the sender writes on this stream.
    public static let end = FrameFlags(rawValue: 1 << 2)

    /// Every bit this version defines; the others must be zero.
    public static let known: FrameFlags = [.compressed, .error, .end]
}
