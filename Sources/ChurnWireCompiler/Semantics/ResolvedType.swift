/// A field's type after name resolution.
public enum ResolvedType: Sendable, Hashable, CustomStringConvertible {
    case scalar(ScalarType)
    /// A message, by full name.
    case message(String)
    /// An enum, by full name.
    case enumeration(String)

    public var description: String {
        switch self {
        case .scalar(let scalar): scalar.rawValue
        case .message(let name): "message \(name)"
        case .enumeration(let name): "enum \(name)"
        }
    }

    /// Whether `repeated` fields of this type are packed.
    public var isPackable: Bool {
        switch self {
        case .scalar(let scalar): scalar.isPackable
        case .enumeration: true
        case .message: false
        }
    }
}
