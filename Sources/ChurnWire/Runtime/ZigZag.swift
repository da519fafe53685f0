/// Zigzag mapping of signed integers to unsigned ones, so small negative numbers stay short:
/// 0 → 0, -1 → 1, 1 → 2, -2 → 3, …
public enum ZigZag {
    /// Maps an i64 to its zigzag form.
    @inlinable
    public static func encode(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
    /// Maps an i32 to its zigzag form.
    @inlinable
    public static func encode(_ value: Int32) -> UInt32 { UInt32(bitPattern: (value << 1) ^ (value >> 31)) }
    /// Inverse of ``encode(_:)-(Int64)``.
    @inlinable
    public static func decode(_ value: UInt64) -> Int64 { Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1))) }
    /// Inverse of ``encode(_:)-(Int32)``.
    @inlinable
    public static func decode(_ value: UInt32) -> Int32 { Int32(bitPattern: (value >> 1) ^ (0 &- (value & 1))) }
}
