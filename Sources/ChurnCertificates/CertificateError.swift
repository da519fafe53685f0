/// Making or writing development certificates failed; the message says why and what to do.
public struct CertificateError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Makes an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
