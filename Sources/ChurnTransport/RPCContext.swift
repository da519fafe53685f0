public import ChurnWire
public import NIOCore

/// What a handler knows about the call it serves.
public struct RPCContext: Sendable {
    /// The method called.
    public let method: RPCMethodDescriptor
    /// When the caller stops waiting, if it said (`churn-timeout-ms`).
    public let deadline: NIODeadline?
    /// The limits every request message is decoded under.
    public let limits: WireLimits

    /// Makes a context.
    public init(method: RPCMethodDescriptor, deadline: NIODeadline?, limits: WireLimits) {
        self.method = method
        self.deadline = deadline
        self.limits = limits
    }

    /// Whether the deadline has passed at `now`.
    public func isExpired(at now: NIODeadline = .now()) -> Bool {
        guard let deadline = self.deadline else { return false }
        return now >= deadline
    }
}
