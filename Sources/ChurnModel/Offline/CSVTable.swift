/// A CSV file's header and rows (RFC 4180: comma-separated, fields optionally in double quotes
/// with `""` for a quote, CRLF or LF line ends). Pure text processing.
public struct CSVTable: Sendable, Hashable {
    public let header: [String]
    public let rows: [[String]]

    /// Parses `text`; the first record is the header.
    ///
    /// - Throws: ``ModelError/Code/invalidInput`` with the line number for an unterminated
    ///   quote, a record with another number of fields than the header, or an empty file.
    public init(parsing text: String) throws(ModelError) {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var atFieldStart = true
        var line = 1
        var recordLine = 1
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = scalars.next()
        func finishRecord() throws(ModelError) {
            record.append(field)
            field = ""
            if !(record.count == 1 && record[0].isEmpty) {
                if let first = records.first, record.count != first.count {
                    throw ModelError(
                        .invalidInput,
                        "line \(recordLine): \(record.count) fields, the header has \(first.count)"
                    )
                }
                records.append(record)
            }
            record = []
        }
        while let scalar = pending {
            pending = scalars.next()
            if inQuotes {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = scalars.next()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where atFieldStart:
                inQuotes = true
                atFieldStart = false
            case ",":
                record.append(field)
                field = ""
                atFieldStart = true
            case "\r" where pending == "\n":
                continue
            case "\n":
                try finishRecord()
                line += 1
                recordLine = line
                atFieldStart = true
            default:
                field.unicodeScalars.append(scalar)
                atFieldStart = false
            }
        }
        guard !inQuotes else { throw ModelError(.invalidInput, "line \(recordLine): a quoted field is never closed") }
        if !field.isEmpty || !record.isEmpty { try finishRecord() }
        guard let header = records.first else { throw ModelError(.invalidInput, "the CSV file is empty") }
        self.header = header.map { $0.trimmingSpaces() }
        self.rows = Array(records.dropFirst())
    }

    /// The position of a column by its header name.
    public func column(_ name: String) -> Int? { self.header.firstIndex(of: name) }

    /// A field as a CSV field: quoted when it holds a comma, quote or line break.
    public static func escaped(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacing("\"", with: "\"\"") + "\""
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
