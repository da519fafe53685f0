/// Accumulates indented source lines.
struct CodeWriter {
    private(set) var text = ""
    private var indentation = 0

    mutating func line(_ line: String = "") {
        if line.isEmpty {
            self.text += "\n"
        } else {
            self.text += String(repeating: "    ", count: self.indentation) + line + "\n"
        }
    }

    /// Writes `header {`, the body one level in, then `}`.
    mutating func block(_ header: String, _ body: (inout CodeWriter) -> Void) {
        self.line(header + " {")
        self.indentation += 1
        body(&self)
        self.indentation -= 1
        self.line("}")
    }

    /// Writes `switch subject {`, the cases at the switch's own indentation (Swift style), then `}`.
    mutating func switchBlock(_ subject: String, _ cases: (inout CodeWriter) -> Void) {
        self.line("switch \(subject) {")
        cases(&self)
        self.line("}")
    }

    /// Writes schema comment lines as a `///` doc comment.
    mutating func doc(_ lines: [String]) {
        for line in lines { self.line(line.isEmpty ? "///" : "/// \(line)") }
    }
}
