/// Resolves names and checks the rules a schema must keep (`wire/README.md`, "Schema language"),
/// reporting every error at once.
public enum SchemaChecker {
    /// Checks parsed files of one package and resolves their type references.
    ///
    /// - Throws: ``SchemaErrors`` listing every problem found.
    public static func check(_ files: [SchemaFile]) throws(SchemaErrors) -> Schema {
        var diagnostics: [SchemaDiagnostic] = []
        guard let package = files.first?.package else {
            throw SchemaErrors([
                SchemaDiagnostic("no .wire files", at: SourceLocation(file: "wire", line: 1, column: 1))
            ])
        }
        for file in files where file.package != package {
            diagnostics.append(
                SchemaDiagnostic(
                    "package '\(file.package)' differs from '\(package)' in \(files[0].path)",
                    at: SourceLocation(file: file.path, line: 1, column: 1)
                )
            )
        }

        // Collect every type name first, so references may point forward and across files.
        var messages: [Schema.Message] = []
        var enums: [Schema.Enumeration] = []
        var declared: [String: SourceLocation] = [:]
        func declare(_ fullName: String, at location: SourceLocation) {
            if let earlier = declared[fullName] {
                diagnostics.append(SchemaDiagnostic("'\(fullName)' is already declared at \(earlier)", at: location))
            } else {
                declared[fullName] = location
            }
        }
        func collect(_ message: MessageDeclaration, scope: String, file: String) {
            let relative = scope.isEmpty ? message.name : "\(scope).\(message.name)"
            declare("\(package).\(relative)", at: message.location)
            messages.append(
                .init(
                    fullName: "\(package).\(relative)",
                    relativeName: relative,
                    declaration: message,
                    fields: [],
                    file: file
                )
            )
            for nested in message.nestedEnums {
                declare("\(package).\(relative).\(nested.name)", at: nested.location)
                enums.append(
                    .init(
                        fullName: "\(package).\(relative).\(nested.name)",
                        relativeName: "\(relative).\(nested.name)",
                        declaration: nested,
                        file: file
                    )
                )
            }
            for nested in message.nestedMessages { collect(nested, scope: relative, file: file) }
        }
        var services: [Schema.Service] = []
        for file in files {
            for declaration in file.enums {
                declare("\(package).\(declaration.name)", at: declaration.location)
                enums.append(
                    .init(
                        fullName: "\(package).\(declaration.name)",
                        relativeName: declaration.name,
                        declaration: declaration,
                        file: file.path
                    )
                )
            }
            for message in file.messages { collect(message, scope: "", file: file.path) }
            for service in file.services {
                declare("\(package).\(service.name)", at: service.location)
                services.append(.init(fullName: "\(package).\(service.name)", declaration: service, file: file.path))
            }
        }
        let messageNames = Set(messages.map(\.fullName))
        let enumNames = Set(enums.map(\.fullName))

        /// Looks `name` up from inside `scope` (a relative message name), innermost scope first.
        func resolve(_ name: String, from scope: String) -> ResolvedType? {
            var candidates: [String] = []
            var parts = scope.isEmpty ? [] : scope.split(separator: ".").map(String.init)
            while true {
                let prefix = ([package] + parts).joined(separator: ".")
                candidates.append("\(prefix).\(name)")
                if parts.isEmpty { break }
                parts.removeLast()
            }
            candidates.append(name)
            for candidate in candidates {
                if messageNames.contains(candidate) { return .message(candidate) }
                if enumNames.contains(candidate) { return .enumeration(candidate) }
            }
            return nil
        }

        for index in messages.indices {
            let message = messages[index]
            diagnostics += Self.checkMembers(of: message.declaration)
            var fields: [Schema.Field] = []
            for field in message.declaration.fields {
                switch field.type {
                case .scalar(let scalar):
                    fields.append(.init(declaration: field, type: .scalar(scalar)))
                case .named(let name):
                    if let resolved = resolve(name, from: message.relativeName) {
                        fields.append(.init(declaration: field, type: resolved))
                    } else {
                        diagnostics.append(
                            SchemaDiagnostic(
                                "unknown type '\(name)' for field '\(field.name)' (not a scalar type, message or enum)",
                                at: field.location
                            )
                        )
                    }
                }
            }
            messages[index].fields = fields.sorted { $0.number < $1.number }
        }
        for enumeration in enums { diagnostics += Self.checkValues(of: enumeration.declaration) }
        for index in services.indices {
            var seen: [String: SourceLocation] = [:]
            for rpcIndex in services[index].declaration.rpcs.indices {
                let rpc = services[index].declaration.rpcs[rpcIndex]
                if let earlier = seen[rpc.name] {
                    diagnostics.append(
                        SchemaDiagnostic("RPC '\(rpc.name)' is already declared at \(earlier)", at: rpc.location)
                    )
                }
                seen[rpc.name] = rpc.location
                for role in ["request", "response"] {
                    let typeName = role == "request" ? rpc.requestType : rpc.responseType
                    switch resolve(typeName, from: "") {
                    case .message(let fullName):
                        services[index].declaration.rpcs[rpcIndex].setType(role: role, fullName: fullName)
                    case .some:
                        diagnostics.append(
                            SchemaDiagnostic(
                                "the \(role) of RPC '\(rpc.name)' must be a message, '\(typeName)' is an enum",
                                at: rpc.location
                            )
                        )
                    case nil:
                        diagnostics.append(
                            SchemaDiagnostic(
                                "unknown \(role) type '\(typeName)' in RPC '\(rpc.name)'",
                                at: rpc.location
                            )
                        )
                    }
                }
            }
        }
        diagnostics += Self.checkContainment(messages)
        guard diagnostics.isEmpty else {
            throw SchemaErrors(
                diagnostics.sorted {
                    ($0.location.file, $0.location.line, $0.location.column)
                        < ($1.location.file, $1.location.line, $1.location.column)
                }
            )
        }
        return Schema(package: package, files: files, messages: messages, enums: enums, services: services)
    }

    /// Duplicate and reserved field names and numbers inside one message.
    static func checkMembers(of message: MessageDeclaration) -> [SchemaDiagnostic] {
        var diagnostics: [SchemaDiagnostic] = []
        var numbers: [UInt32: FieldDeclaration] = [:]
        var names: [String: FieldDeclaration] = [:]
        for field in message.fields {
            if let earlier = numbers[field.number] {
                diagnostics.append(
                    SchemaDiagnostic(
                        "field number \(field.number) of '\(field.name)' is already used by '\(earlier.name)' at \(earlier.location)",
                        at: field.location
                    )
                )
            }
            if let earlier = names[field.name] {
                diagnostics.append(
                    SchemaDiagnostic(
                        "field name '\(field.name)' is already used at \(earlier.location)",
                        at: field.location
                    )
                )
            }
            if message.reserves(field.number) {
                diagnostics.append(
                    SchemaDiagnostic(
                        "field '\(field.name)' uses number \(field.number), which message '\(message.name)' reserves",
                        at: field.location
                    )
                )
            }
            if message.reservedNames.contains(field.name) {
                diagnostics.append(
                    SchemaDiagnostic(
                        "field name '\(field.name)' is reserved in message '\(message.name)'",
                        at: field.location
                    )
                )
            }
            numbers[field.number] = numbers[field.number] ?? field
            names[field.name] = names[field.name] ?? field
        }
        return diagnostics
    }

    /// Enum values: the first is 0, numbers and names unique and not reserved.
    static func checkValues(of enumeration: EnumDeclaration) -> [SchemaDiagnostic] {
        var diagnostics: [SchemaDiagnostic] = []
        guard let first = enumeration.values.first else {
            return [SchemaDiagnostic("enum '\(enumeration.name)' has no values", at: enumeration.location)]
        }
        if first.number != 0 {
            diagnostics.append(
                SchemaDiagnostic(
                    "the first value of enum '\(enumeration.name)' must be 0 (the default), '\(first.name)' is \(first.number)",
                    at: first.location
                )
            )
        }
        var numbers: [UInt32: EnumDeclaration.Value] = [:]
        var names: Set<String> = []
        for value in enumeration.values {
            if let earlier = numbers[value.number] {
                diagnostics.append(
                    SchemaDiagnostic(
                        "enum value \(value.number) of '\(value.name)' is already used by '\(earlier.name)'",
                        at: value.location
                    )
                )
            }
            if !names.insert(value.name).inserted {
                diagnostics.append(
                    SchemaDiagnostic("enum value name '\(value.name)' is used twice", at: value.location)
                )
            }
            if enumeration.reserves(value.number) || enumeration.reservedNames.contains(value.name) {
                diagnostics.append(
                    SchemaDiagnostic("enum value '\(value.name)' = \(value.number) is reserved", at: value.location)
                )
            }
            numbers[value.number] = numbers[value.number] ?? value
        }
        return diagnostics
    }

    /// A message may not contain itself through singular or optional fields: a value type of
    /// infinite size. Containment through `repeated` is fine.
    static func checkContainment(_ messages: [Schema.Message]) -> [SchemaDiagnostic] {
        var edges: [String: [(String, FieldDeclaration)]] = [:]
        for message in messages {
            for field in message.fields where field.label != .repeated {
                if case .message(let target) = field.type {
                    edges[message.fullName, default: []].append((target, field.declaration))
                }
            }
        }
        var diagnostics: [SchemaDiagnostic] = []
        for message in messages {
            // Depth-first search for a path back to `message`, remembering the field of `message`
            // each path leaves through (that is where the cycle is reported).
            var stack = (edges[message.fullName] ?? []).map { (target: $0.0, first: $0.1) }
            var visited: Set<String> = []
            while let (target, first) = stack.popLast() {
                if target == message.fullName {
                    diagnostics.append(
                        SchemaDiagnostic(
                            "message '\(message.relativeName)' contains itself through field '\(first.name)'; make the cycle 'repeated'",
                            at: first.location
                        )
                    )
                    break
                }
                if visited.insert(target).inserted {
                    stack += (edges[target] ?? []).map { (target: $0.0, first: first) }
                }
            }
        }
        return diagnostics
    }
}

extension ServiceDeclaration.RPC {
    /// Replaces the written type name by the resolved full name.
    mutating func setType(role: String, fullName: String) {
        if role == "request" { self.requestType = fullName } else { self.responseType = fullName }
    }
}
