/// An enum generated from `wire/*.wire`: an open set of named numbers, so a number a newer peer
/// sends survives a round trip through an older reader.
public protocol WireEnum: RawRepresentable, Sendable, Hashable, CustomStringConvertible where RawValue == UInt32 {
    /// Wraps a number, named by the schema or not.
    init(rawValue: UInt32)
    /// The schema's name for this number, such as `HIGH`, or nil for a number it does not name.
    var schemaName: String? { get }
}

extension WireEnum {
    /// The schema's name, or the number for one the schema does not name.
    public var description: String { self.schemaName ?? String(self.rawValue) }
}
