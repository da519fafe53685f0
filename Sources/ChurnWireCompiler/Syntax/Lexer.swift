/// Splits a schema file into tokens, keeping the comment lines above each for doc comments.
struct Lexer {
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    private var lineStart = 0

    init(text: String, file: String) {
        self.bytes = Array(text.utf8)
        self.file = file
    }

    private var location: SourceLocation {
        SourceLocation(file: self.file, line: self.line, column: self.index - self.lineStart + 1)
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        self.index + offset < self.bytes.count ? self.bytes[self.index + offset] : nil
    }

    private mutating func advance() {
        if self.bytes[self.index] == UInt8(ascii: "\n") {
            self.line += 1
            self.lineStart = self.index + 1
        }
        self.index += 1
    }

    /// All tokens, ending with `.endOfFile`.
    mutating func tokenize() throws(SchemaDiagnostic) -> [Token] {
        var tokens: [Token] = []
        var comments: [String] = []
        while true {
            // White space and comments; a blank line detaches the comments above it.
            var newlines = 0
            while let byte = self.peek() {
                if byte == UInt8(ascii: "\n") {
                    newlines += 1
                    if newlines >= 2 { comments.removeAll() }
                    self.advance()
                } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                    self.advance()
                } else if byte == UInt8(ascii: "/") && self.peek(1) == UInt8(ascii: "/") {
                    let start = self.index + 2
                    while let next = self.peek(), next != UInt8(ascii: "\n") { self.advance() }
                    var text = String(decoding: self.bytes[start..<self.index], as: UTF8.self)
                    if text.hasPrefix(" ") { text.removeFirst() }
                    comments.append(text)
                    newlines = 0
                } else if byte == UInt8(ascii: "/") && self.peek(1) == UInt8(ascii: "*") {
                    let start = self.location
                    self.advance()
                    self.advance()
                    while !(self.peek() == UInt8(ascii: "*") && self.peek(1) == UInt8(ascii: "/")) {
                        guard self.peek() != nil else {
                            throw SchemaDiagnostic("unterminated block comment", at: start)
                        }
                        self.advance()
                    }
                    self.advance()
                    self.advance()
                    newlines = 0
                } else {
                    break
                }
            }
            let start = self.location
            guard let byte = self.peek() else {
                tokens.append(Token(kind: .endOfFile, location: start, leadingComments: []))
                return tokens
            }
            let kind: Token.Kind
            if Self.isIdentifierStart(byte) {
                let first = self.index
                while let next = self.peek(), Self.isIdentifierStart(next) || Self.isDigit(next) { self.advance() }
                kind = .identifier(String(decoding: self.bytes[first..<self.index], as: UTF8.self))
            } else if Self.isDigit(byte) {
                kind = .integer(try self.lexInteger(start: start))
            } else if byte == UInt8(ascii: "\"") {
                kind = .string(try self.lexString(start: start))
            } else if "{}();=,.-".utf8.contains(byte) {
                self.advance()
                kind = .symbol(Character(Unicode.Scalar(byte)))
            } else {
                let scalar =
                    String(decoding: self.bytes[self.index...].prefix(4), as: UTF8.self).first.map(String.init) ?? "?"
                throw SchemaDiagnostic("unexpected character '\(scalar)'", at: start)
            }
            tokens.append(Token(kind: kind, location: start, leadingComments: comments))
            comments.removeAll()
        }
    }

    private mutating func lexInteger(start: SourceLocation) throws(SchemaDiagnostic) -> UInt64 {
        let first = self.index
        var radix: UInt64 = 10
        if self.peek() == UInt8(ascii: "0"), self.peek(1) == UInt8(ascii: "x") || self.peek(1) == UInt8(ascii: "X") {
            radix = 16
            self.advance()
            self.advance()
        }
        var value: UInt64 = 0
        var digits = 0
        while let byte = self.peek() {
            let digit: UInt64
            if Self.isDigit(byte) {
                digit = UInt64(byte - UInt8(ascii: "0"))
            } else if radix == 16, let hex = Self.hexValue(byte) {
                digit = hex
            } else if Self.isIdentifierStart(byte) {
                throw SchemaDiagnostic("invalid digit in number", at: self.location)
            } else {
                break
            }
            let (times, overflow1) = value.multipliedReportingOverflow(by: radix)
            let (sum, overflow2) = times.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else {
                throw SchemaDiagnostic(
                    "number \(String(decoding: self.bytes[first...self.index], as: UTF8.self))… is too large",
                    at: start
                )
            }
            value = sum
            digits += 1
            self.advance()
        }
        guard digits > 0 else { throw SchemaDiagnostic("expected hexadecimal digits after '0x'", at: start) }
        return value
    }

    private mutating func lexString(start: SourceLocation) throws(SchemaDiagnostic) -> String {
        self.advance()
        let first = self.index
        while let byte = self.peek(), byte != UInt8(ascii: "\"") {
            guard byte != UInt8(ascii: "\n") else { throw SchemaDiagnostic("unterminated string", at: start) }
            self.advance()
        }
        guard self.peek() != nil else { throw SchemaDiagnostic("unterminated string", at: start) }
        let text = String(decoding: self.bytes[first..<self.index], as: UTF8.self)
        self.advance()
        return text
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func hexValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
