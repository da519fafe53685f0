/// One parsed `.wire` file.
public struct SchemaFile: Sendable, Hashable {
    /// The path the file was read from.
    public var path: String
    /// The dotted package name, such as `churn.v1`.
    public var package: String
    /// Top-level messages, in source order.
    public var messages: [MessageDeclaration]
    /// Top-level enums, in source order.
    public var enums: [EnumDeclaration]
    /// Services, in source order.
    public var services: [ServiceDeclaration]
    /// The `//` lines above `package`.
    public var doc: [String]
}
