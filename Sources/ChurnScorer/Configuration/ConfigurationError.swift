/// A configuration file or flag that cannot be used; the message names the file, line and key.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and where.
    public var message: String

    /// Makes an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
