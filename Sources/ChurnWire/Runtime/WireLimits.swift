/// Hard limits every decoder checks before it allocates, so hostile input cannot make a node
/// allocate without bound (`wire/README.md`, "Limits").
///
/// ```swift
/// let limits = WireLimits.defaults { $0.maxFrameSize = 1 << 20 }
/// ```
public struct WireLimits: Sendable, Hashable {
    /// The largest payload a single frame may declare, compressed or not. Default 4 MiB.
    public var maxFrameSize: Int
    /// The largest size a compressed frame may declare for its decompressed payload. Default 16 MiB.
    public var maxDecompressedSize: Int
    /// How deeply messages may nest inside one another. Default 32.
    public var maxNestingDepth: Int
    /// The most elements one repeated field of one message may hold. Default 1,048,576.
    public var maxRepeatedCount: Int

    /// Makes limits; every argument defaults to the value stated on its property.
    public init(
        maxFrameSize: Int = 4 << 20,
        maxDecompressedSize: Int = 16 << 20,
        maxNestingDepth: Int = 32,
        maxRepeatedCount: Int = 1 << 20
    ) {
        self.maxFrameSize = maxFrameSize
        self.maxDecompressedSize = maxDecompressedSize
        self.maxNestingDepth = maxNestingDepth
        self.maxRepeatedCount = maxRepeatedCount
    }

    /// The defaults stated on each property.
    public static var defaults: WireLimits { WireLimits() }

    /// The defaults, changed by `configure`.
    public static func defaults(_ configure: (inout WireLimits) -> Void) -> WireLimits {
        var limits = WireLimits()
        configure(&limits)
        return limits
    }
}
