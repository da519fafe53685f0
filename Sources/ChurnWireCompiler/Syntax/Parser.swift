/// Parses one `.wire` file into a ``SchemaFile``; the first syntax error stops it, with the
/// location and what was expected there.
public struct Parser {
    private var tokens: [Token]
    private var index = 0
    private let path: String

    /// Parses `text`, read from `path`.
    ///
    /// - Throws: ``SchemaDiagnostic`` at the first syntax error.
    public static func parse(_ text: String, path: String) throws(SchemaDiagnostic) -> SchemaFile {
        var lexer = Lexer(text: text, file: path)
        var parser = Parser(tokens: try lexer.tokenize(), path: path)
        return try parser.parseFile()
    }

    private init(tokens: [Token], path: String) {
        self.tokens = tokens
        self.path = path
    }

    // MARK: Tokens

    private var current: Token { self.tokens[self.index] }

    private mutating func next() -> Token {
        let token = self.tokens[self.index]
        if self.index < self.tokens.count - 1 { self.index += 1 }
        return token
    }

    private func error(_ expected: String, context: String? = nil) -> SchemaDiagnostic {
        let after = context.map { " \($0)" } ?? ""
        return SchemaDiagnostic(
            "expected \(expected)\(after), found \(self.current.display)",
            at: self.current.location
        )
    }

    private func isKeyword(_ keyword: String) -> Bool {
        if case .identifier(keyword) = self.current.kind { return true }
        return false
    }

    private func isSymbol(_ symbol: Character) -> Bool {
        if case .symbol(symbol) = self.current.kind { return true }
        return false
    }

    private mutating func expectSymbol(_ symbol: Character, _ context: String) throws(SchemaDiagnostic) {
        guard self.isSymbol(symbol) else { throw self.error("'\(symbol)'", context: context) }
        _ = self.next()
    }

    private mutating func expectKeyword(_ keyword: String, _ context: String) throws(SchemaDiagnostic) {
        guard self.isKeyword(keyword) else { throw self.error("'\(keyword)'", context: context) }
        _ = self.next()
    }

    private static let keywords: Set<String> = [
        "package", "message", "enum", "service", "rpc", "returns", "stream", "optional", "repeated", "reserved",
    ]

    /// An identifier; keywords are refused where they would name a type, allowed for field names.
    private mutating func expectIdentifier(
        _ what: String,
        _ context: String,
        allowKeyword: Bool = false
    ) throws(SchemaDiagnostic) -> (String, Token) {
        let token = self.current
        guard case .identifier(let name) = token.kind else { throw self.error(what, context: context) }
        guard allowKeyword || !Self.keywords.contains(name) else {
            throw SchemaDiagnostic("'\(name)' is a keyword and cannot be used as \(what)", at: token.location)
        }
        _ = self.next()
        return (name, token)
    }

    private mutating func expectInteger(
        _ what: String,
        _ context: String
    ) throws(SchemaDiagnostic) -> (UInt64, SourceLocation) {
        let token = self.current
        if self.isSymbol("-") {
            throw SchemaDiagnostic("\(what) must not be negative", at: token.location)
        }
        guard case .integer(let value) = token.kind else { throw self.error(what, context: context) }
        _ = self.next()
        return (value, token.location)
    }

    private mutating func dottedName(_ what: String, _ context: String) throws(SchemaDiagnostic) -> String {
        var (name, _) = try self.expectIdentifier(what, context)
        while self.isSymbol(".") {
            _ = self.next()
            let (part, _) = try self.expectIdentifier("a name after '.'", "in \(what)")
            name += "." + part
        }
        return name
    }

    // MARK: Declarations

    private mutating func parseFile() throws(SchemaDiagnostic) -> SchemaFile {
        let doc = self.current.leadingComments
        try self.expectKeyword("package", "at the start of the file")
        let package = try self.dottedName("a package name", "after 'package'")
        try self.expectSymbol(";", "after the package name")
        var file = SchemaFile(path: self.path, package: package, messages: [], enums: [], services: [], doc: doc)
        while true {
            switch self.current.kind {
            case .endOfFile:
                return file
            case .identifier("message"):
                file.messages.append(try self.parseMessage())
            case .identifier("enum"):
                file.enums.append(try self.parseEnum())
            case .identifier("service"):
                file.services.append(try self.parseService())
            case .identifier("package"):
                throw SchemaDiagnostic("a file declares its package once", at: self.current.location)
            default:
                throw self.error("'message', 'enum' or 'service'", context: "at the top level")
            }
        }
    }

    private mutating func parseMessage() throws(SchemaDiagnostic) -> MessageDeclaration {
        let keyword = self.next()
        let (name, _) = try self.expectIdentifier("a message name", "after 'message'")
        try self.expectSymbol("{", "after message name '\(name)'")
        var message = MessageDeclaration(
            name: name,
            fields: [],
            reservedNumbers: [],
            reservedNames: [],
            nestedMessages: [],
            nestedEnums: [],
            location: keyword.location,
            doc: keyword.leadingComments
        )
        while !self.isSymbol("}") {
            switch self.current.kind {
            case .endOfFile:
                throw self.error("'}'", context: "to close message '\(name)'")
            case .identifier("message"):
                message.nestedMessages.append(try self.parseMessage())
            case .identifier("enum"):
                message.nestedEnums.append(try self.parseEnum())
            case .identifier("reserved"):
                try self.parseReserved(numbers: &message.reservedNumbers, names: &message.reservedNames)
            default:
                message.fields.append(try self.parseField(in: name))
            }
        }
        _ = self.next()
        return message
    }

    private mutating func parseField(in message: String) throws(SchemaDiagnostic) -> FieldDeclaration {
        let first = self.current
        var label = FieldDeclaration.Label.singular
        if self.isKeyword("optional") || self.isKeyword("repeated") {
            label = self.isKeyword("optional") ? .optional : .repeated
            _ = self.next()
            if self.isKeyword("optional") || self.isKeyword("repeated") {
                throw SchemaDiagnostic(
                    "a field is either 'optional' or 'repeated', not both",
                    at: self.current.location
                )
            }
        }
        guard case .identifier = self.current.kind else {
            throw self.error("a field type or '}'", context: "in message '\(message)'")
        }
        let typeText = try self.dottedName("a field type", "in message '\(message)'")
        let type: FieldDeclaration.TypeName =
            ScalarType(rawValue: typeText).map { .scalar($0) } ?? .named(typeText)
        let (name, _) = try self.expectIdentifier("a field name", "after type '\(typeText)'", allowKeyword: true)
        try self.expectSymbol("=", "after field name '\(name)'")
        let (number, numberLocation) = try self.expectInteger("a field number", "after '\(name) ='")
        guard number >= 1, number <= 536_870_911 else {
            throw SchemaDiagnostic("field number \(number) is out of range (1 to 536870911)", at: numberLocation)
        }
        try self.expectSymbol(";", "after field number \(number)")
        return FieldDeclaration(
            name: name,
            number: UInt32(number),
            label: label,
            type: type,
            location: first.location,
            doc: first.leadingComments
        )
    }

    private mutating func parseReserved(
        numbers: inout [ClosedRange<UInt32>],
        names: inout [String]
    ) throws(SchemaDiagnostic) {
        _ = self.next()
        repeat {
            if case .string(let name) = self.current.kind {
                _ = self.next()
                names.append(name)
                continue
            }
            let (low, lowLocation) = try self.expectInteger("a number or a quoted name", "after 'reserved'")
            var high = low
            if self.isKeyword("to") {
                _ = self.next()
                if self.isKeyword("max") {
                    _ = self.next()
                    high = 536_870_911
                } else {
                    (high, _) = try self.expectInteger("a number or 'max'", "after 'to'")
                }
            }
            guard low <= high, high <= UInt64(UInt32.max) else {
                throw SchemaDiagnostic("reserved range \(low) to \(high) is empty or out of range", at: lowLocation)
            }
            numbers.append(UInt32(low)...UInt32(high))
        } while self.consumeComma()
        try self.expectSymbol(";", "after the reserved list")
    }

    private mutating func consumeComma() -> Bool {
        guard self.isSymbol(",") else { return false }
        _ = self.next()
        return true
    }

    private mutating func parseEnum() throws(SchemaDiagnostic) -> EnumDeclaration {
        let keyword = self.next()
        let (name, _) = try self.expectIdentifier("an enum name", "after 'enum'")
        try self.expectSymbol("{", "after enum name '\(name)'")
        var declaration = EnumDeclaration(
            name: name,
            values: [],
            reservedNumbers: [],
            reservedNames: [],
            location: keyword.location,
            doc: keyword.leadingComments
        )
        while !self.isSymbol("}") {
            if case .endOfFile = self.current.kind { throw self.error("'}'", context: "to close enum '\(name)'") }
            if self.isKeyword("reserved") {
                try self.parseReserved(numbers: &declaration.reservedNumbers, names: &declaration.reservedNames)
                continue
            }
            let token = self.current
            let (valueName, _) = try self.expectIdentifier("a value name or '}'", "in enum '\(name)'")
            try self.expectSymbol("=", "after enum value '\(valueName)'")
            let (number, numberLocation) = try self.expectInteger("an enum value number", "after '\(valueName) ='")
            guard number <= UInt64(UInt32.max) else {
                throw SchemaDiagnostic("enum value \(number) does not fit in 32 bits", at: numberLocation)
            }
            try self.expectSymbol(";", "after enum value \(number)")
            declaration.values.append(
                .init(name: valueName, number: UInt32(number), location: token.location, doc: token.leadingComments)
            )
        }
        _ = self.next()
        return declaration
    }

    private mutating func parseService() throws(SchemaDiagnostic) -> ServiceDeclaration {
        let keyword = self.next()
        let (name, _) = try self.expectIdentifier("a service name", "after 'service'")
        try self.expectSymbol("{", "after service name '\(name)'")
        var service = ServiceDeclaration(name: name, rpcs: [], location: keyword.location, doc: keyword.leadingComments)
        while !self.isSymbol("}") {
            guard self.isKeyword("rpc") else { throw self.error("'rpc' or '}'", context: "in service '\(name)'") }
            let rpcToken = self.next()
            let (rpcName, _) = try self.expectIdentifier("an RPC name", "after 'rpc'")
            try self.expectSymbol("(", "after RPC name '\(rpcName)'")
            let requestStreams = self.consumeKeyword("stream")
            let request = try self.dottedName("a request message type", "in RPC '\(rpcName)'")
            try self.expectSymbol(")", "after the request type of '\(rpcName)'")
            try self.expectKeyword("returns", "after the request of '\(rpcName)'")
            try self.expectSymbol("(", "after 'returns'")
            let responseStreams = self.consumeKeyword("stream")
            let response = try self.dottedName("a response message type", "in RPC '\(rpcName)'")
            try self.expectSymbol(")", "after the response type of '\(rpcName)'")
            try self.expectSymbol(";", "after RPC '\(rpcName)'")
            service.rpcs.append(
                .init(
                    name: rpcName,
                    requestType: request,
                    requestStreams: requestStreams,
                    responseType: response,
                    responseStreams: responseStreams,
                    location: rpcToken.location,
                    doc: rpcToken.leadingComments
                )
            )
        }
        _ = self.next()
        return service
    }

    private mutating func consumeKeyword(_ keyword: String) -> Bool {
        guard self.isKeyword(keyword) else { return false }
        _ = self.next()
        return true
    }
}
