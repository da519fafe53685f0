/// A lexical token of the schema language.
struct Token: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case identifier(String)
        case integer(UInt64)
        case string(String)
        case symbol(Character)
        case endOfFile
    }

    var kind: Kind
    var location: SourceLocation
    /// The `//` comment lines directly above the token (no blank line between), without `//`.
    var leadingComments: [String]

    /// How the token reads in an error message.
    var display: String {
        switch self.kind {
        case .identifier(let name): "'\(name)'"
        case .integer(let value): "'\(value)'"
        case .string(let text): "\"\(text)\""
        case .symbol(let symbol): "'\(symbol)'"
        case .endOfFile: "end of file"
        }
    }
}
