/// A `message` block.
public struct MessageDeclaration: Sendable, Hashable {
    public var name: String
    public var fields: [FieldDeclaration]
    /// Field numbers that may never be used again, as ranges.
    public var reservedNumbers: [ClosedRange<UInt32>]
    /// Field names that may never be used again.
    public var reservedNames: [String]
    public var nestedMessages: [MessageDeclaration]
    public var nestedEnums: [EnumDeclaration]
    public var location: SourceLocation
    public var doc: [String]

    /// Whether `number` is reserved.
    public func reserves(_ number: UInt32) -> Bool { self.reservedNumbers.contains { $0.contains(number) } }
}
