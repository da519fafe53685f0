/// The built-in field types.
public enum ScalarType: String, Sendable, Hashable, CaseIterable {
    case bool, u32, u64, i32, i64, f32, f64, string, bytes
    /// Unsigned integers in four or eight little-endian bytes: for hashes and other values that
    /// use every bit, where a varint would take five or ten bytes.
    case fixed32, fixed64

    /// Whether a `repeated` field of this type is packed (numbers and bools are; strings and bytes
    /// are not).
    public var isPackable: Bool { self != .string && self != .bytes }
}
