/// The subset of TOML that configuration files use: `[section]` headers, `key = value` lines
/// with strings, integers, floats and booleans, and `#` comments. Anything else (arrays, inline
/// tables, dotted keys, multi-line strings) is refused with its line number, never guessed at.
package struct TOMLTable {
    /// A value as written.
    package enum Value: Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case bool(Bool)

        package var typeName: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .float: "a number"
            case .bool: "true or false"
            }
        }
    }

    /// A value with the line it came from.
    package struct Entry {
        package var value: Value
        package var line: Int
    }

    /// Every value by `section.key` (top-level keys have no section prefix).
    package private(set) var entries: [String: Entry] = [:]

    /// Parses `text`.
    ///
    /// - Throws: ``ConfigurationError`` naming the line and what is wrong with it.
    package init(parsing text: String, source: String) throws(ConfigurationError) {
        var section = ""
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = Self.strippingComment(rawLine).trimmingCharacters(in: " \t\r")
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[["), line.count > 2 else {
                    throw ConfigurationError("\(source):\(number): a section header is [name]")
                }
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: " \t")
                guard Self.isBareKey(section) else {
                    throw ConfigurationError("\(source):\(number): '\(section)' is not a plain section name")
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError("\(source):\(number): expected key = value")
            }
            let key = String(line[..<equals]).trimmingCharacters(in: " \t")
            guard Self.isBareKey(key) else {
                throw ConfigurationError("\(source):\(number): '\(key)' is not a plain key (letters, digits, _ and -)")
            }
            let valueText = String(line[line.index(after: equals)...]).trimmingCharacters(in: " \t")
            let value = try Self.value(valueText, at: "\(source):\(number)")
            let path = section.isEmpty ? key : "\(section).\(key)"
            guard self.entries[path] == nil else {
                throw ConfigurationError("\(source):\(number): \(path) is set twice")
            }
            self.entries[path] = Entry(value: value, line: number)
        }
    }

    private static func value(_ text: String, at place: String) throws(ConfigurationError) -> Value {
        if text.hasPrefix("\"") {
            return .string(try Self.basicString(text, at: place))
        }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        let digits = text.replacingUnderscores()
        if let integer = Int64(digits) { return .integer(integer) }
        if let float = Double(digits), float.isFinite { return .float(float) }
        throw ConfigurationError("\(place): '\(text)' is not a string, number or boolean")
    }

    /// A `"…"` string with the escapes \" \\ \n \t.
    private static func basicString(_ text: String, at place: String) throws(ConfigurationError) -> String {
        var result = ""
        var escaped = false
        var closed = false
        for character in text.dropFirst() {
            if closed {
                throw ConfigurationError("\(place): text after the closing quote")
            }
            if escaped {
                switch character {
                case "\"": result.append("\"")
                case "\\": result.append("\\")
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: throw ConfigurationError("\(place): unknown escape \\\(character)")
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                closed = true
            } else {
                result.append(character)
            }
        }
        guard closed else { throw ConfigurationError("\(place): the string has no closing quote") }
        return result
    }

    /// The line without a `#` comment (a `#` inside a string is kept).
    private static func strippingComment(_ line: Substring) -> String {
        var inString = false
        var escaped = false
        var end = line.endIndex
        for index in line.indices {
            let character = line[index]
            if inString {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
            } else if character == "\"" {
                inString = true
            } else if character == "#" {
                end = index
                break
            }
        }
        return String(line[..<end])
    }

    private static func isBareKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    || $0 == "-"
            }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }

    func replacingUnderscores() -> String {
        String(self.filter { $0 != "_" })
    }
}
