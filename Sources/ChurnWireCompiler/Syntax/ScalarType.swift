/// The built-in field types.
public enum ScalarType: String, Sendable, Hashable, CaseIterable {
    case bool, u32, u64, i32, i64, f32, f64, string, bytes

    /// Whether a `repeated` field of this type is packed (numbers and bools are; strings and bytes
    /// are not).
    public var isPackable: Bool { self != .string && self != .bytes }
}
