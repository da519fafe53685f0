/// A field of a message: `optional u64 crm = 1;`.
public struct FieldDeclaration: Sendable, Hashable {
    /// Whether the field holds one value, an optional value or a list.
    public enum Label: String, Sendable, Hashable {
        case singular, optional, repeated
    }

    /// A field's type as written.
    public enum TypeName: Sendable, Hashable, CustomStringConvertible {
        case scalar(ScalarType)
        /// A message or enum, possibly dotted (`ScoreResponse.Driver`).
        case named(String)

        public var description: String {
            switch self {
            case .scalar(let scalar): scalar.rawValue
            case .named(let name): name
            }
        }
    }

    public var name: String
    public var number: UInt32
    public var label: Label
    public var type: TypeName
    public var location: SourceLocation
    public var doc: [String]
}
