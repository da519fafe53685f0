/// An `enum` block: named u32 values, the first of which is 0 (the default).
public struct EnumDeclaration: Sendable, Hashable {
    /// One named value.
    public struct Value: Sendable, Hashable {
        public var name: String
        public var number: UInt32
        public var location: SourceLocation
        public var doc: [String]
    }

    public var name: String
    public var values: [Value]
    public var reservedNumbers: [ClosedRange<UInt32>]
    public var reservedNames: [String]
    public var location: SourceLocation
    public var doc: [String]

    /// Whether `number` is reserved.
    public func reserves(_ number: UInt32) -> Bool { self.reservedNumbers.contains { $0.contains(number) } }
}
