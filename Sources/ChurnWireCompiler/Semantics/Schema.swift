/// A checked schema: every file of one package, with every type reference resolved.
///
/// Made by ``SchemaChecker/check(_:)``; the generator and the compatibility check work on it.
public struct Schema: Sendable {
    /// A field with its type resolved.
    public struct Field: Sendable, Hashable {
        public var declaration: FieldDeclaration
        public var type: ResolvedType
        public var name: String { self.declaration.name }
        public var number: UInt32 { self.declaration.number }
        public var label: FieldDeclaration.Label { self.declaration.label }
    }

    /// A message, top-level or nested.
    public struct Message: Sendable, Hashable {
        /// The full name: `churn.v1.ScoreResponse.Driver`.
        public var fullName: String
        /// The name relative to the package: `ScoreResponse.Driver` (also its Swift name).
        public var relativeName: String
        public var declaration: MessageDeclaration
        /// Fields in field-number order (the order they are encoded in).
        public var fields: [Field]
        /// The file that declares it.
        public var file: String
    }

    /// An enum, top-level or nested.
    public struct Enumeration: Sendable, Hashable {
        public var fullName: String
        public var relativeName: String
        public var declaration: EnumDeclaration
        public var file: String
    }

    /// A service with its full name (`churn.v1.Scoring`).
    public struct Service: Sendable, Hashable {
        public var fullName: String
        public var declaration: ServiceDeclaration
        public var file: String
    }

    public var package: String
    public var files: [SchemaFile]
    /// Messages in file, then declaration order (parents before their nested messages).
    public var messages: [Message]
    public var enums: [Enumeration]
    public var services: [Service]

    /// The message with this full name.
    public func message(named fullName: String) -> Message? { self.messages.first { $0.fullName == fullName } }
    /// The enum with this full name.
    public func enumeration(named fullName: String) -> Enumeration? { self.enums.first { $0.fullName == fullName } }
    /// The service with this full name.
    public func service(named fullName: String) -> Service? { self.services.first { $0.fullName == fullName } }
}
