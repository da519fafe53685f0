/// Conversions from a varint to each packed element type, refusing values out of range.
public enum PackedVarint {
    /// A u64 as is.
    @inlinable
    public static func uint64(_ raw: UInt64, _ field: UInt32, _ offset: Int) throws(WireError) -> UInt64 { raw }

    /// A u32, refusing values above 2^32 - 1.
    @inlinable
    public static func uint32(_ raw: UInt64, _ field: UInt32, _ offset: Int) throws(WireError) -> UInt32 {
        guard raw <= UInt64(UInt32.max) else {
            throw WireReader.outOfRange(field, "has an element that does not fit in 32 bits", at: offset)
        }
        return UInt32(truncatingIfNeeded: raw)
    }

    /// A zigzag i64.
    @inlinable
    public static func int64(_ raw: UInt64, _ field: UInt32, _ offset: Int) throws(WireError) -> Int64 {
        ZigZag.decode(raw)
    }

    /// A zigzag i32.
    @inlinable
    public static func int32(_ raw: UInt64, _ field: UInt32, _ offset: Int) throws(WireError) -> Int32 {
        ZigZag.decode(try uint32(raw, field, offset))
    }

    /// A bool, refusing values other than 0 and 1.
    @inlinable
    public static func bool(_ raw: UInt64, _ field: UInt32, _ offset: Int) throws(WireError) -> Bool {
        guard raw <= 1 else { throw WireReader.outOfRange(field, "has a bool element that is not 0 or 1", at: offset) }
        return raw == 1
    }

    /// An enum number.
    @inlinable
    public static func enumeration<E: WireEnum>(
        _ raw: UInt64,
        _ field: UInt32,
        _ offset: Int
    ) throws(WireError) -> E {
        E(rawValue: try uint32(raw, field, offset))
    }
}
