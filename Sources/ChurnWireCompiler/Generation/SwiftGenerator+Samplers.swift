extension SwiftGenerator {
    /// A file for the test target: every message conforms to `RandomSampleable`, making random
    /// values for property-style round-trip tests and golden vectors. The protocol and the
    /// `SplitMix64` helpers it calls live beside it in the test target.
    ///
    /// - Parameters:
    ///   - fileName: the generated file's name.
    ///   - listName: the name of the list of every message type it declares.
    public func generateTestSamplers(
        fileName: String = "WireMessages+Random.swift",
        listName: String = "allSampleableMessages"
    ) -> File {
        var writer = CodeWriter()
        writer.line("import ChurnWire")
        writer.line()
        for message in self.schema.messages {
            writer.block("extension \(message.relativeName): RandomSampleable") { writer in
                writer.block("static func random(using rng: inout SplitMix64, depth: Int) -> Self") { writer in
                    let fields = message.fields.map(self.fieldCode)
                    guard !fields.isEmpty else {
                        writer.line("Self()")
                        return
                    }
                    writer.line("var message = Self()")
                    for field in fields {
                        let one = self.sampleExpression(field)
                        let target = "message.\(field.property)"
                        switch (field.field.label, field.field.type) {
                        case (.singular, _):
                            writer.line("\(target) = \(one("rng"))")
                        case (.optional, .message):
                            writer.line(
                                "\(target) = depth < RandomSampling.maxDepth ? rng.wireOptional { \(one("$0")) } : nil"
                            )
                        case (.optional, _):
                            writer.line("\(target) = rng.wireOptional { \(one("$0")) }")
                        case (.repeated, .message):
                            writer.line(
                                "\(target) = depth < RandomSampling.maxDepth ? rng.wireArray { \(one("$0")) } : []"
                            )
                        case (.repeated, _):
                            writer.line("\(target) = rng.wireArray { \(one("$0")) }")
                        }
                    }
                    writer.line("return message")
                }
            }
            writer.line()
        }
        writer.line("/// Every generated message type, for tests that cover them all.")
        writer.line("let \(listName): [any RandomSampleable.Type] = [")
        for message in self.schema.messages { writer.line("    \(message.relativeName).self,") }
        writer.line("]")
        let source = self.schema.files.count == 1 ? self.schema.files[0].path : "wire/*.wire"
        return File(name: fileName, contents: Self.header(source: source) + writer.text)
    }

    private func sampleExpression(_ field: FieldCode) -> (String) -> String {
        switch field.field.type {
        case .scalar(let scalar):
            let method =
                switch scalar {
                case .bool: "wireBool"
                case .u32: "wireUInt32"
                case .u64: "wireUInt64"
                case .i32: "wireInt32"
                case .i64: "wireInt64"
                case .f32: "wireFloat"
                case .f64: "wireDouble"
                case .fixed32: "wireUInt32"
                case .fixed64: "wireUInt64"
                case .string: "wireString"
                case .bytes: "wireBytes"
                }
            return { "\($0).\(method)()" }
        case .enumeration:
            return { "\($0).wireEnum(\(field.elementType).self)" }
        case .message:
            return { "\(field.elementType).random(using: &\($0), depth: depth + 1)" }
        }
    }
}
