/// Reads typed values out of a ``TOMLTable`` and remembers which keys were read, so that an
/// unknown (misspelt) key is refused with its line.
package struct TOMLReader {
    package let table: TOMLTable
    package let source: String
    /// Relative paths are resolved against this folder ("" leaves them as written).
    package let directory: String
    private var read: Set<String> = []

    /// A reader of `table`, which came from `source` (for messages).
    package init(table: TOMLTable, source: String, directory: String = "") {
        self.table = table
        self.source = source
        self.directory = directory
    }

    package mutating func entry(_ key: String) -> TOMLTable.Entry? {
        self.read.insert(key)
        return self.table.entries[key]
    }

    package mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let entry = self.entry(key) else { return nil }
        guard case .string(let value) = entry.value else { throw self.wrongType(key, entry, "a string") }
        return value
    }

    package mutating func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let entry = self.entry(key) else { return nil }
        guard case .bool(let value) = entry.value else { throw self.wrongType(key, entry, "true or false") }
        return value
    }

    package mutating func path(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = try self.string(key) else { return nil }
        if value.hasPrefix("/") || self.directory.isEmpty { return value }
        return self.directory.hasSuffix("/") ? self.directory + value : self.directory + "/" + value
    }

    package mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let entry = self.entry(key) else { return nil }
        guard case .integer(let value) = entry.value else { throw self.wrongType(key, entry, "an integer") }
        guard let int = Int(exactly: value), range.contains(int) else {
            throw ConfigurationError(
                "\(self.source):\(entry.line): \(key) is \(value), it must be \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return int
    }

    package mutating func number(_ key: String, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
        guard let entry = self.entry(key) else { return nil }
        let value: Double
        switch entry.value {
        case .integer(let integer): value = Double(integer)
        case .float(let float): value = float
        default: throw self.wrongType(key, entry, "a number")
        }
        guard range.contains(value) else {
            throw ConfigurationError(
                "\(self.source):\(entry.line): \(key) is \(value), it must be \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return value
    }

    package func refuseUnread() throws(ConfigurationError) {
        let unknown = self.table.entries.filter { !self.read.contains($0.key) }.sorted {
            $0.value.line < $1.value.line
        }
        if let (key, entry) = unknown.first {
            throw ConfigurationError("\(self.source):\(entry.line): unknown key \(key)")
        }
    }

    private func wrongType(_ key: String, _ entry: TOMLTable.Entry, _ expected: String) -> ConfigurationError {
        ConfigurationError("\(self.source):\(entry.line): \(key) must be \(expected), not \(entry.value.typeName)")
    }
}
