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
