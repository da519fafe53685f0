extension SwiftGenerator {
    /// A message struct with its size, encode, decode and JSON code.
    func writeMessage(_ message: Schema.Message, to writer: inout CodeWriter) {
        let parts = message.relativeName.split(separator: ".")
        let name = String(parts.last!)
        let fields = message.fields.map(self.fieldCode)
        let body: (inout CodeWriter) -> Void = { writer in
            writer.doc(message.declaration.doc)
            writer.doc(message.declaration.doc.isEmpty ? [] : [""])
            writer.doc(["Schema message `\(message.fullName)`."])
            writer.block("public struct \(name): WireMessage") { writer in
                writer.line("public static let wireName = \(Naming.literal(message.fullName))")
                for field in fields {
                    writer.line()
                    writer.doc(field.field.declaration.doc)
                    writer.doc(field.field.declaration.doc.isEmpty ? [] : [""])
                    writer.doc(["Field \(field.field.number) (`\(field.field.name)`), default `\(field.defaultValue)`."]
                    )
                    writer.line("public var \(field.property): \(field.swiftType)")
                }
                writer.line()
                self.writeInitializers(fields, to: &writer)
                writer.line()
                self.writeSize(fields, to: &writer)
                writer.line()
                self.writeEncode(fields, to: &writer)
                writer.line()
                self.writeDecode(fields, to: &writer)
                writer.line()
                self.writeJSON(fields, to: &writer)
            }
        }
        if parts.count > 1 {
            writer.block("extension \(parts.dropLast().joined(separator: "."))") { body(&$0) }
        } else {
            body(&writer)
        }
        writer.line()
    }

    private func writeInitializers(_ fields: [FieldCode], to writer: inout CodeWriter) {
        writer.line("/// A message with every field at its default.")
        writer.block("public init()") { writer in
            for field in fields { writer.line("self.\(field.property) = \(field.defaultValue)") }
        }
        guard !fields.isEmpty else { return }
        writer.line()
        writer.line("/// Makes a message; fields not given take their defaults.")
        writer.line("public init(")
        for (index, field) in fields.enumerated() {
            let comma = index == fields.count - 1 ? "" : ","
            writer.line("    \(field.property): \(field.swiftType) = \(field.defaultValue)\(comma)")
        }
        writer.block(")") { writer in
            for field in fields { writer.line("self.\(field.property) = \(field.property)") }
        }
    }

    private func writeSize(_ fields: [FieldCode], to writer: inout CodeWriter) {
        writer.block("public var encodedSize: Int") { writer in
            guard !fields.isEmpty else {
                writer.line("0")
                return
            }
            writer.line("var size = 0")
            for field in fields {
                let tagSize = field.tagBytes.count
                let value = "self.\(field.property)"
                switch field.field.label {
                case .singular:
                    if let condition = field.isSet(value) {
                        writer.line("if \(condition) { size += \(tagSize) + \(field.valueSize(value)) }")
                    } else {
                        writer.line("size += \(tagSize) + \(field.valueSize(value))")
                    }
                case .optional:
                    let size = field.valueSize("value")
                    if size.contains("value") {
                        writer.line("if let value = \(value) { size += \(tagSize) + \(size) }")
                    } else {
                        writer.line("if \(value) != nil { size += \(tagSize) + \(size) }")
                    }
                case .repeated where field.isPacked:
                    if let fixed = field.fixedPackedSize {
                        writer.line("if !\(value).isEmpty { size += \(tagSize) + WireSize.lengthDelimited(\(fixed)) }")
                    } else {
                        writer.block("if !\(value).isEmpty") { writer in
                            writer.line("var payload = 0")
                            writer.line("for element in \(value) { payload += \(field.valueSize("element")) }")
                            writer.line("size += \(tagSize) + WireSize.lengthDelimited(payload)")
                        }
                    }
                case .repeated:
                    writer.line("for element in \(value) { size += \(tagSize) + \(field.valueSize("element")) }")
                }
            }
            writer.line("return size")
        }
    }

    private func writeEncode(_ fields: [FieldCode], to writer: inout CodeWriter) {
        writer.block("public func encode(to writer: inout WireWriter)") { writer in
            for field in fields {
                let value = "self.\(field.property)"
                switch field.field.label {
                case .singular:
                    if let condition = field.isSet(value) {
                        writer.line("if \(condition) { \(field.writeTag); \(field.writeValue(value)) }")
                    } else {
                        writer.line("\(field.writeTag); \(field.writeValue(value))")
                    }
                case .optional:
                    writer.line("if let value = \(value) { \(field.writeTag); \(field.writeValue("value")) }")
                case .repeated where field.isPacked:
                    writer.block("if !\(value).isEmpty") { writer in
                        writer.line(field.writeTag)
                        switch field.field.type {
                        case .scalar(.f64), .scalar(.f32), .scalar(.fixed64), .scalar(.fixed32):
                            writer.line("writer.writePacked(\(value))")
                        case .scalar(.bool):
                            writer.line("writer.writeVarint(UInt64(\(value).count))")
                            writer.line("for element in \(value) { writer.writeByte(element ? 1 : 0) }")
                        default:
                            writer.line("var payload = 0")
                            writer.line("for element in \(value) { payload += \(field.valueSize("element")) }")
                            writer.line("writer.writeVarint(UInt64(payload))")
                            writer.line("for element in \(value) { \(field.writeValue("element")) }")
                        }
                    }
                case .repeated:
                    writer.line("for element in \(value) { \(field.writeTag); \(field.writeValue("element")) }")
                }
            }
        }
    }

    private func writeDecode(_ fields: [FieldCode], to writer: inout CodeWriter) {
        writer.block("public init(from reader: inout WireReader) throws(WireError)") { writer in
            writer.line("self.init()")
            writer.block("while let tag = try reader.nextTag()") { writer in
                guard !fields.isEmpty else {
                    writer.line("try reader.skipField(tag)")
                    return
                }
                writer.switchBlock("tag.fieldNumber") { writer in
                    for field in fields {
                        let value = "self.\(field.property)"
                        let number = field.field.number
                        switch field.field.label {
                        case .singular, .optional:
                            writer.line("case \(number): \(value) = try \(field.readValue)")
                        case .repeated where field.isPacked:
                            switch field.field.type {
                            case .scalar(.f64), .scalar(.f32), .scalar(.fixed64), .scalar(.fixed32):
                                writer.line("case \(number): try reader.readPacked(tag, into: &\(value))")
                            default:
                                writer.line(
                                    "case \(number): try reader.readPackedVarints(tag, into: &\(value), convert: \(field.packedConversion!))"
                                )
                            }
                        case .repeated:
                            writer.line("case \(number):")
                            writer.line(
                                "    try reader.appendElement(tag, to: &\(value)) { (reader, tag) throws(WireError) in"
                            )
                            writer.line("        try \(field.readValue)")
                            writer.line("    }")
                        }
                    }
                    writer.line("default: try reader.skipField(tag)")
                }
            }
        }
    }

    private func writeJSON(_ fields: [FieldCode], to writer: inout CodeWriter) {
        writer.block("public func writeJSON(to json: inout JSONWriter)") { writer in
            writer.line("json.beginObject()")
            for field in fields {
                let key = "json.key(\(Naming.literal(field.field.name)))"
                let value = "self.\(field.property)"
                switch field.field.label {
                case .singular:
                    writer.line("\(key); json.value(\(value))")
                case .optional:
                    writer.line("if let value = \(value) { \(key); json.value(value) }")
                case .repeated:
                    writer.line(
                        "\(key); json.beginArray(); for element in \(value) { json.value(element) }; json.endArray()"
                    )
                }
            }
            writer.line("json.endObject()")
        }
    }
}
