/// Encoded sizes, so that a message's byte count is known before a byte is written and the
/// output buffer grows once.
public enum WireSize {
    /// The bytes a base-128 varint of `value` takes: 1 through 10.
    @inlinable
    public static func varint(_ value: UInt64) -> Int {
        // Each byte carries 7 bits; a zero still takes one byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    /// The bytes a varint of `value` takes.
    @inlinable
    public static func varint(_ value: UInt32) -> Int { varint(UInt64(value)) }

    /// The bytes of a length-delimited value of `byteCount` bytes: its length prefix plus the bytes.
    @inlinable
    public static func lengthDelimited(_ byteCount: Int) -> Int { varint(UInt64(byteCount)) + byteCount }

    /// The bytes of a zigzag-encoded i64.
    @inlinable
    public static func zigzag(_ value: Int64) -> Int { varint(ZigZag.encode(value)) }

    /// The bytes of a zigzag-encoded i32.
    @inlinable
    public static func zigzag(_ value: Int32) -> Int { varint(UInt64(ZigZag.encode(value))) }
}
