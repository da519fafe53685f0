/// One or more schema errors, all reported at once so a person can fix them in one pass.
public struct SchemaErrors: Error, Sendable, CustomStringConvertible {
    /// The errors, in file and line order.
    public var diagnostics: [SchemaDiagnostic]

    /// Makes the error.
    public init(_ diagnostics: [SchemaDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { self.diagnostics.map(\.description).joined(separator: "\n") }
}
