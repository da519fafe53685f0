/// Why the harness cannot run what it was asked to: a bad scenario file, a target it cannot
/// start or reach, a result file it cannot read. The message says which and where.
public struct LoadError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Makes an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
