public import ChurnWire

/// The outcome of a call that did not succeed, as the peer sees it: a ``WireStatus`` code, a
/// message a person can act on, and the details the code calls for.
///
/// It travels as an `ErrorReply` in a frame with the error flag (`wire/README.md`, §4 and §6).
/// The message never carries customer data; local causes (a TLS failure, a refused connection)
/// are kept in ``cause`` and never sent.
public struct RPCError: Error, Sendable, CustomStringConvertible {
    /// The status code; a code a newer peer sends survives as an unnamed value.
    public var status: WireStatus
    /// What went wrong, for a person.
    public var message: String
    /// With `invalidArgument`: the request field at fault, such as `features`.
    public var field: String
    /// With `wrongShard`: the shard-map generation the scorer holds.
    public var shardGeneration: UInt64?
    /// With `overloaded` or `unavailable`: when to retry.
    public var retryAfterMs: UInt32?
    /// The local error behind this one, if any (not sent to the peer).
    public var cause: (any Error)?

    /// Makes an error.
    public init(_ status: WireStatus, _ message: String, field: String = "", cause: (any Error)? = nil) {
        self.status = status
        self.message = message
        self.field = field
        self.cause = cause
    }

    /// The error an `ErrorReply` from the peer describes.
    public init(reply: ErrorReply) {
        self.status = reply.status
        self.message = reply.message
        self.field = reply.field
        self.shardGeneration = reply.shardGeneration
        self.retryAfterMs = reply.retryAfterMs
    }

    /// The `ErrorReply` that carries this error to the peer.
    public var reply: ErrorReply {
        ErrorReply(
            status: self.status,
            message: self.message,
            shardGeneration: self.shardGeneration,
            retryAfterMs: self.retryAfterMs,
            field: self.field
        )
    }

    /// Whether sending the same call again (elsewhere or later) may succeed: `unavailable` and
    /// `overloaded`. Every other status fails again unchanged.
    public var isRetryable: Bool {
        self.status == .unavailable || self.status == .overloaded
    }

    public var description: String {
        var text = "\(self.status): \(self.message)"
        if !self.field.isEmpty { text += " (field \(self.field))" }
        if let cause = self.cause { text += " [\(cause)]" }
        return text
    }
}
