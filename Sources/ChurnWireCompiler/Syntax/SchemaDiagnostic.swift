/// An error in a schema, with where it is and what was expected.
///
/// `description` reads `wire/scoring.wire:12:17: error: expected '=' after field name 'crm', found '{'`,
/// the form editors and CI logs link to.
public struct SchemaDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is.
    public var location: SourceLocation
    /// What is wrong and, where it helps, what was expected.
    public var message: String

    /// Makes a diagnostic.
    public init(_ message: String, at location: SourceLocation) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(self.location): error: \(self.message)" }
}
