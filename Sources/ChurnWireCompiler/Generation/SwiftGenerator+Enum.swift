extension SwiftGenerator {
    /// An open enum: a struct over the number with a static member per named value.
    func writeEnum(_ enumeration: Schema.Enumeration, to writer: inout CodeWriter) {
        let parts = enumeration.relativeName.split(separator: ".")
        let name = String(parts.last!)
        let body: (inout CodeWriter) -> Void = { writer in
            writer.doc(enumeration.declaration.doc)
            writer.doc(enumeration.declaration.doc.isEmpty ? [] : [""])
            writer.doc(["Schema enum `\(enumeration.fullName)`; numbers it does not name survive decoding."])
            writer.block("public struct \(name): WireEnum") { writer in
                writer.line("public var rawValue: UInt32")
                writer.line()
                writer.line("/// Wraps a number, named by the schema or not.")
                writer.line("public init(rawValue: UInt32) { self.rawValue = rawValue }")
                for value in enumeration.declaration.values {
                    writer.line()
                    writer.doc(value.doc.isEmpty ? ["`\(value.name)` = \(value.number)."] : value.doc)
                    writer.line(
                        "public static let \(Naming.lowerCamel(value.name)) = \(name)(rawValue: \(value.number))"
                    )
                }
                writer.line()
                writer.line("/// Every value the schema names, in schema order.")
                writer.line(
                    "public static let allNamed: [\(name)] = ["
                        + enumeration.declaration.values.map { ".\(Naming.lowerCamel($0.name))" }.joined(
                            separator: ", "
                        ) + "]"
                )
                writer.line()
                writer.line("/// The schema's name for this number, or nil.")
                writer.block("public var schemaName: String?") { writer in
                    writer.switchBlock("self.rawValue") { writer in
                        for value in enumeration.declaration.values {
                            writer.line("case \(value.number): \(Naming.literal(value.name))")
                        }
                        writer.line("default: nil")
                    }
                }
            }
        }
        if parts.count > 1 {
            writer.block("extension \(parts.dropLast().joined(separator: "."))") { body(&$0) }
        } else {
            body(&writer)
        }
        writer.line()
    }
}
