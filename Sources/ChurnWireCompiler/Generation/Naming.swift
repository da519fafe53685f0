/// Schema names to Swift names.
enum Naming {
    /// `product_group` → `productGroup`; `INVALID_ARGUMENT` → `invalidArgument`; `Score` → `score`.
    static func lowerCamel(_ name: String) -> String {
        let parts = name.split(separator: "_").map(String.init)
        guard let first = parts.first else { return name }
        let isAllCaps = name == name.uppercased()
        var result = isAllCaps ? first.lowercased() : Self.lowerFirst(first)
        for part in parts.dropFirst() {
            let word = isAllCaps ? part.lowercased() : part
            result += word.prefix(1).uppercased() + word.dropFirst()
        }
        return Self.escaped(result)
    }

    /// The first letter lowercased, and a leading acronym with it (`RPCKind` → `rpcKind`).
    static func lowerFirst(_ name: String) -> String {
        let characters = Array(name)
        var upperRun = 0
        while upperRun < characters.count, characters[upperRun].isUppercase { upperRun += 1 }
        if upperRun == 0 { return name }
        if upperRun == characters.count { return name.lowercased() }
        let lowered = upperRun == 1 ? 1 : upperRun - 1
        return String(characters[..<lowered]).lowercased() + String(characters[lowered...])
    }

    /// A Swift service namespace: `Scoring` → `ScoringService`.
    static func serviceName(_ name: String) -> String { name.hasSuffix("Service") ? name : name + "Service" }

    private static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
        "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "catch", "false", "is",
        "nil", "self", "Self", "super", "throw", "throws", "true", "try", "Type", "Protocol", "any", "some",
    ]

    static func escaped(_ name: String) -> String { Self.keywords.contains(name) ? "`\(name)`" : name }

    /// A Swift string literal for `text`.
    static func literal(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
