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

/// A decoded field tag: the field number and its wire type.
public struct WireTag: Sendable, Hashable {
    /// The field number, 1 through ``WireTag/maxFieldNumber``.
    public var fieldNumber: UInt32
    /// How the value after the tag is laid out.
    public var wireType: WireType

    /// The largest field number a schema may use (2^29 - 1), so a tag fits in a 32-bit varint.
    public static let maxFieldNumber: UInt32 = (1 << 29) - 1

    /// Makes a tag.
    @inlinable
    public init(fieldNumber: UInt32, wireType: WireType) {
        self.fieldNumber = fieldNumber
        self.wireType = wireType
    }

    /// The tag's varint value: `fieldNumber << 3 | wireType`.
    @inlinable
    public var rawValue: UInt32 { self.fieldNumber << 3 | UInt32(self.wireType.rawValue) }
}
