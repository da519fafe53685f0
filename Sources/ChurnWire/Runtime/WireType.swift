/// How a field's value is laid out after its tag (`wire/README.md`, "Tags and wire types").
///
/// The wire type is the low three bits of every tag, so a reader can skip a field it does not
/// know without knowing its schema.
public enum WireType: UInt8, Sendable, Hashable {
    /// A base-128 varint: bool, u32, u64, i32 and i64 (zigzag), enums.
    case varint = 0
    /// Eight bytes, little-endian: f64.
    case fixed64 = 1
    /// A varint byte count, then that many bytes: string, bytes, nested messages, packed arrays.
    case lengthDelimited = 2
    /// Four bytes, little-endian: f32.
    case fixed32 = 5
}
