/// A typed error from the model registry: a request it refuses, or a database it cannot reach.
///
/// `description` says what and why, naming the model and version; it never holds a password.
public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem. An open set: new codes break no caller.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Wrapped: Sendable, Hashable {
            case notFound, schemaMismatch, invalidArtifact, invalidRequest, unavailable, conflict
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The model, version or alias does not exist.
        public static let notFound = Code(.notFound)
        /// The version's feature schema is not the one the cluster serves.
        public static let schemaMismatch = Code(.schemaMismatch)
        /// The artifact is corrupt, fails its checksum, or does not score its golden inputs.
        public static let invalidArtifact = Code(.invalidArtifact)
        /// The request itself is wrong: a bad URL, a traffic share out of range, nothing to roll back to.
        public static let invalidRequest = Code(.invalidRequest)
        /// The database cannot be reached or failed the statement.
        public static let unavailable = Code(.unavailable)
        /// Someone else changed the same row first.
        public static let conflict = Code(.conflict)

        public var description: String {
            switch self.wrapped {
            case .notFound: "not found"
            case .schemaMismatch: "feature schema mismatch"
            case .invalidArtifact: "invalid artifact"
            case .invalidRequest: "invalid request"
            case .unavailable: "registry unavailable"
            case .conflict: "conflict"
            }
        }
    }

    /// What kind of problem this is.
    public var code: Code
    /// What is wrong, for a person.
    public var message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.code): \(self.message)" }
}
