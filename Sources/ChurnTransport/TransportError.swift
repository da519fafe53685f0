/// A local failure of the transport: a configuration that cannot work, an address that cannot be
/// bound. Kept apart from ``RPCError``, which is what a peer says about a call.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure; a new code breaks no caller.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable {
            case invalidTLSConfiguration, bindFailed, invalidAddress
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A certificate, key or CA file is missing, unreadable or unusable.
        public static let invalidTLSConfiguration = Code(.invalidTLSConfiguration)
        /// The listening address could not be bound (in use, not permitted, not local).
        public static let bindFailed = Code(.bindFailed)
        /// An address is not `host:port`.
        public static let invalidAddress = Code(.invalidAddress)

        public var description: String {
            switch self.value {
            case .invalidTLSConfiguration: "invalidTLSConfiguration"
            case .bindFailed: "bindFailed"
            case .invalidAddress: "invalidAddress"
            }
        }
    }

    /// What kind of failure.
    public var code: Code
    /// What went wrong and what to do about it.
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error)?

    /// Makes an error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause = self.cause { return "\(self.message) (\(cause))" }
        return self.message
    }
}
