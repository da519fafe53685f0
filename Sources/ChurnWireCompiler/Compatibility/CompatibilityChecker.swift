/// Refuses schema changes that would break a peer still on the old schema
/// (`wire/README.md`, "Evolving the schema").
///
/// Refused: a field number that changes its type or label; a field removed without reserving its
/// number; a reserved number used again; an enum value removed without reserving it, or whose
/// number changes; an RPC removed or whose types or streaming change; a message or enum that a
/// surviving field or RPC still needs, removed. Allowed: new fields, values, messages, RPCs and
/// services; renaming a field (the number is what travels).
public enum CompatibilityChecker {
    /// One breaking change, located in the new schema where it has a place there.
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        public var location: SourceLocation
        public var message: String
        public var description: String { "\(self.location): error: \(self.message)" }
    }

    /// Every breaking change from `old` to `new`; empty when `new` is compatible.
    public static func check(old: Schema, new: Schema) -> [Violation] {
        var violations: [Violation] = []
        func refuse(_ message: String, at location: SourceLocation) {
            violations.append(Violation(location: location, message: message))
        }
        if old.package != new.package {
            refuse(
                "package changed from '\(old.package)' to '\(new.package)'",
                at: SourceLocation(file: new.files.first?.path ?? "wire", line: 1, column: 1)
            )
            return violations
        }
        for oldMessage in old.messages {
            guard let newMessage = new.message(named: oldMessage.fullName) else {
                refuse(
                    "message '\(oldMessage.relativeName)' was removed; keep it (deprecate it in its comment) so old peers' bytes still parse",
                    at: oldMessage.declaration.location
                )
                continue
            }
            for oldField in oldMessage.fields {
                if let newField = newMessage.fields.first(where: { $0.number == oldField.number }) {
                    if oldField.type != newField.type {
                        refuse(
                            "field \(oldField.number) ('\(newField.name)') of '\(newMessage.relativeName)' changed type from \(oldField.type) to \(newField.type)",
                            at: newField.declaration.location
                        )
                    } else if (oldField.label == .repeated) != (newField.label == .repeated) {
                        refuse(
                            "field \(oldField.number) ('\(newField.name)') of '\(newMessage.relativeName)' changed from \(oldField.label.rawValue) to \(newField.label.rawValue)",
                            at: newField.declaration.location
                        )
                    }
                } else if !newMessage.declaration.reserves(oldField.number) {
                    refuse(
                        "field \(oldField.number) ('\(oldField.name)') was removed from '\(newMessage.relativeName)' without 'reserved \(oldField.number);'",
                        at: newMessage.declaration.location
                    )
                }
            }
            for range in oldMessage.declaration.reservedNumbers {
                for newField in newMessage.fields where range.contains(newField.number) {
                    refuse(
                        "field '\(newField.name)' reuses number \(newField.number), which '\(newMessage.relativeName)' reserved",
                        at: newField.declaration.location
                    )
                }
            }
        }
        for oldEnum in old.enums {
            guard let newEnum = new.enumeration(named: oldEnum.fullName) else {
                refuse("enum '\(oldEnum.relativeName)' was removed", at: oldEnum.declaration.location)
                continue
            }
            let newValues = newEnum.declaration.values
            for oldValue in oldEnum.declaration.values {
                if let sameName = newValues.first(where: { $0.name == oldValue.name }),
                    sameName.number != oldValue.number
                {
                    refuse(
                        "enum value '\(oldValue.name)' of '\(newEnum.relativeName)' changed number from \(oldValue.number) to \(sameName.number)",
                        at: sameName.location
                    )
                } else if !newValues.contains(where: { $0.number == oldValue.number })
                    && !newEnum.declaration.reserves(oldValue.number)
                {
                    refuse(
                        "enum value \(oldValue.number) ('\(oldValue.name)') was removed from '\(newEnum.relativeName)' without 'reserved \(oldValue.number);'",
                        at: newEnum.declaration.location
                    )
                }
            }
            for range in oldEnum.declaration.reservedNumbers {
                for value in newValues where range.contains(value.number) {
                    refuse(
                        "enum value '\(value.name)' reuses number \(value.number), which '\(newEnum.relativeName)' reserved",
                        at: value.location
                    )
                }
            }
        }
        for oldService in old.services {
            guard let newService = new.service(named: oldService.fullName) else {
                refuse("service '\(oldService.fullName)' was removed", at: oldService.declaration.location)
                continue
            }
            for oldRPC in oldService.declaration.rpcs {
                guard let newRPC = newService.declaration.rpcs.first(where: { $0.name == oldRPC.name }) else {
                    refuse(
                        "RPC '\(oldRPC.name)' was removed from service '\(newService.fullName)'",
                        at: newService.declaration.location
                    )
                    continue
                }
                if oldRPC.requestType != newRPC.requestType || oldRPC.responseType != newRPC.responseType {
                    refuse(
                        "RPC '\(oldRPC.name)' changed its types from (\(oldRPC.requestType)) returns (\(oldRPC.responseType)) to (\(newRPC.requestType)) returns (\(newRPC.responseType))",
                        at: newRPC.location
                    )
                }
                if oldRPC.requestStreams != newRPC.requestStreams || oldRPC.responseStreams != newRPC.responseStreams {
                    refuse("RPC '\(oldRPC.name)' changed which side streams", at: newRPC.location)
                }
            }
        }
        return violations
    }
}
