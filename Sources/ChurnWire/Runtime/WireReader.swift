/// A bounds-checked cursor over encoded bytes, used by generated decoders.
///
/// Every read checks the remaining bytes before it touches memory and every repeated field checks
/// ``WireLimits/maxRepeatedCount`` before it grows, so malformed input fails with a ``WireError``
/// and never with a crash or an unbounded allocation.
///
/// - Important: A reader is valid only inside the closure that made it
///   (``WireMessage/init(decoding:limits:)``): it borrows the input's memory.
public struct WireReader {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    /// The next byte to read.
    @usableFromInline var offset: Int
    /// The end of the message being read (the whole input, or a nested message's extent).
    @usableFromInline var end: Int
    /// How many messages deep the reader is; the outermost message is 0.
    @usableFromInline var depth: Int
    /// The limits checked while reading.
    public let limits: WireLimits

    /// Makes a reader over `bytes`.
    @inlinable
    public init(bytes: UnsafeRawBufferPointer, limits: WireLimits) {
        self.bytes = bytes
        self.offset = 0
        self.end = bytes.count
        self.depth = 0
        self.limits = limits
    }

    /// The byte offset of the next read, from the start of the input.
    @inlinable
    public var position: Int { self.offset }

    @inlinable
    func load(_ index: Int) -> UInt8 {
        self.bytes.baseAddress.unsafelyUnwrapped.load(fromByteOffset: index, as: UInt8.self)
    }

    // MARK: Primitives

    /// Reads a base-128 varint of at most ten bytes.
    @inlinable
    public mutating func readVarint() throws(WireError) -> UInt64 {
        // Tags and most values are one byte: take them without entering the loop.
        if self.offset < self.end {
            let byte = self.load(self.offset)
            if byte < 0x80 {
                self.offset += 1
                return UInt64(byte)
            }
        }
        return try self.readMultibyteVarint()
    }

    /// A varint of two or more bytes. With eight bytes in reach, one load finds its end (the first
    /// byte with the high bit clear) and the 7-bit groups are packed without a loop.
    @usableFromInline
    mutating func readMultibyteVarint() throws(WireError) -> UInt64 {
        if self.end - self.offset >= 8 {
            let word = UInt64(littleEndian: self.bytes.loadUnaligned(fromByteOffset: self.offset, as: UInt64.self))
            let stops = ~word & 0x8080_8080_8080_8080
            if stops != 0 {
                let length = stops.trailingZeroBitCount / 8 + 1
                let kept = length == 8 ? word : word & ((1 << (UInt64(length) &* 8)) &- 1)
                var value = kept & 0x7F
                value |= (kept >> 1) & (0x7F << 7)
                value |= (kept >> 2) & (0x7F << 14)
                value |= (kept >> 3) & (0x7F << 21)
                value |= (kept >> 4) & (0x7F << 28)
                value |= (kept >> 5) & (0x7F << 35)
                value |= (kept >> 6) & (0x7F << 42)
                value |= (kept >> 7) & (0x7F << 49)
                self.offset += length
                return value
            }
        }
        return try self.readVarintBytewise()
    }

    /// Nine- and ten-byte varints, and varints near the end of the input.
    @usableFromInline
    mutating func readVarintBytewise() throws(WireError) -> UInt64 {
        var index = self.offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < self.end {
            let byte = self.load(index)
            index += 1
            if shift == 63 && byte > 1 { throw self.malformedVarint() }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                self.offset = index
                return result
            }
            shift += 7
        }
        throw self.truncated("a varint")
    }

    /// Reads eight little-endian bytes.
    @inlinable
    public mutating func readFixed64() throws(WireError) -> UInt64 {
        guard self.end - self.offset >= 8 else { throw self.truncated("a fixed64 value") }
        let value = self.bytes.loadUnaligned(fromByteOffset: self.offset, as: UInt64.self)
        self.offset += 8
        return UInt64(littleEndian: value)
    }

    /// Reads four little-endian bytes.
    @inlinable
    public mutating func readFixed32() throws(WireError) -> UInt32 {
        guard self.end - self.offset >= 4 else { throw self.truncated("a fixed32 value") }
        let value = self.bytes.loadUnaligned(fromByteOffset: self.offset, as: UInt32.self)
        self.offset += 4
        return UInt32(littleEndian: value)
    }

    /// Reads a length prefix and checks that many bytes remain in the current message.
    @inlinable
    public mutating func readLength() throws(WireError) -> Int {
        let start = self.offset
        let length = try self.readVarint()
        guard length <= UInt64(self.end - self.offset) else { throw self.lengthPastEnd(length, at: start) }
        return Int(length)
    }

    /// Reads the next tag, or returns nil at the end of the current message.
    @inlinable
    public mutating func nextTag() throws(WireError) -> WireTag? {
        guard self.offset < self.end else { return nil }
        let start = self.offset
        let raw = try self.readVarint()
        let fieldNumber = UInt32(truncatingIfNeeded: raw >> 3)
        guard raw <= UInt64(UInt32.max), fieldNumber != 0,
            let wireType = WireType(rawValue: UInt8(truncatingIfNeeded: raw & 7))
        else { throw Self.invalidTag(raw, at: start) }
        return WireTag(fieldNumber: fieldNumber, wireType: wireType)
    }

    /// Skips the value of a field this reader's schema does not know.
    @inlinable
    public mutating func skipField(_ tag: WireTag) throws(WireError) {
        switch tag.wireType {
        case .varint: _ = try self.readVarint()
        case .fixed64: _ = try self.readFixed64()
        case .fixed32: _ = try self.readFixed32()
        case .lengthDelimited: self.offset += try self.readLength()
        }
    }

    @inlinable
    func expect(_ tag: WireTag, _ wireType: WireType) throws(WireError) {
        guard tag.wireType == wireType else { throw self.wrongWireType(tag, expected: wireType) }
    }

    /// Throws ``WireError/Code/tooManyElements`` when a repeated field would exceed the limit.
    @inlinable
    public func checkCount(_ count: Int, field: UInt32) throws(WireError) {
        guard count <= self.limits.maxRepeatedCount else { throw self.tooManyElements(field: field) }
    }

    /// Counts how many times `field` occurs from the current position (which must be at a tag) to
    /// the end of the current message, so a repeated field is allocated once at its final size.
    /// Reads nothing: the position does not move.
    @inlinable
    public func countOccurrences(of field: UInt32) throws(WireError) -> Int {
        var scan = self
        var count = 0
        while let tag = try scan.nextTag() {
            if tag.fieldNumber == field { count += 1 }
            try scan.skipField(tag)
        }
        try self.checkCount(count, field: field)
        return count
    }
}

@available(*, unavailable)
extension WireReader: Sendable {}
