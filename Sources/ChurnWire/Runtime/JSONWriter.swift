/// Builds the canonical JSON form of a message (`wire/README.md`, "JSON form"): used by the golden
/// vectors, logs and the command line. Not on the hot path; needs no Foundation.
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public private(set) var output: String = ""
    private var needsComma: [Bool] = []

    /// Makes an empty writer.
    public init() {}

    /// Opens an object.
    public mutating func beginObject() {
        self.separate()
        self.output += "{"
        self.needsComma.append(false)
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        self.needsComma.removeLast()
        self.output += "}"
    }

    /// Opens an array.
    public mutating func beginArray() {
        self.separate()
        self.output += "["
        self.needsComma.append(false)
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        self.needsComma.removeLast()
        self.output += "]"
    }

    /// Writes an object key; the value follows.
    public mutating func key(_ name: String) {
        self.separate()
        self.writeQuoted(name)
        self.output += ":"
        self.afterKey = true
    }

    /// True between a key and its value, where no comma goes.
    private var afterKey = false

    private mutating func separate() {
        if self.afterKey {
            self.afterKey = false
            return
        }
        guard let last = self.needsComma.indices.last else { return }
        if self.needsComma[last] {
            self.output += ","
        } else {
            self.needsComma[last] = true
        }
    }

    /// Writes a bool.
    public mutating func value(_ value: Bool) {
        self.separate()
        self.output += value ? "true" : "false"
    }

    /// Writes a 32-bit integer as a JSON number.
    public mutating func value(_ value: UInt32) {
        self.separate()
        self.output += String(value)
    }

    /// Writes a 32-bit integer as a JSON number.
    public mutating func value(_ value: Int32) {
        self.separate()
        self.output += String(value)
    }

    /// Writes a 64-bit integer as a string, since JSON numbers lose precision above 2^53.
    public mutating func value(_ value: UInt64) {
        self.separate()
        self.output += "\"\(value)\""
    }

    /// Writes a 64-bit integer as a string, since JSON numbers lose precision above 2^53.
    public mutating func value(_ value: Int64) {
        self.separate()
        self.output += "\"\(value)\""
    }

    /// Writes a float as the shortest decimal that reads back to the same value; NaN and the
    /// infinities as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    public mutating func value(_ value: Double) { self.writeFloat(value) }

    /// Writes a float (as ``value(_:)-(Double)`` does, with f32's shortest form).
    public mutating func value(_ value: Float) { self.writeFloat(value) }

    private mutating func writeFloat<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F) {
        self.separate()
        if value.isNaN {
            self.output += "\"NaN\""
        } else if value.isInfinite {
            self.output += value < 0 ? "\"-Infinity\"" : "\"Infinity\""
        } else {
            self.output += value.description
        }
    }

    /// Writes a string, escaped.
    public mutating func value(_ value: String) {
        self.separate()
        self.writeQuoted(value)
    }

    /// Writes bytes as a string of lowercase hex digits.
    public mutating func value(_ value: [UInt8]) {
        self.separate()
        self.output += "\""
        self.output += Hex.encode(value)
        self.output += "\""
    }

    /// Writes an enum by its schema name, or by its number when the schema does not name it.
    public mutating func value(_ value: some WireEnum) {
        if let name = value.schemaName {
            self.value(name)
        } else {
            self.value(value.rawValue)
        }
    }

    /// Writes a nested message.
    public mutating func value(_ value: some WireMessage) {
        value.writeJSON(to: &self)
    }

    private mutating func writeQuoted(_ string: String) {
        self.output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": self.output += "\\\""
            case "\\": self.output += "\\\\"
            case "\n": self.output += "\\n"
            case "\r": self.output += "\\r"
            case "\t": self.output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = Hex.encode([UInt8(scalar.value)])
                self.output += "\\u00" + hex
            default: self.output.unicodeScalars.append(scalar)
            }
        }
        self.output += "\""
    }
}
