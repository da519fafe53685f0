public import ChurnTransport

/// When a unary call (or a one-frame batch) is sent again: only for errors that say a retry may
/// succeed (``RPCError/isRetryable``: `unavailable`, `overloaded`), never past the call's
/// deadline, with exponential backoff (and the server's `retry_after_ms` when it gives one).
/// Streamed batches are never retried: their requests are consumed as they are sent.
public struct RetryPolicy: Sendable, Hashable {
    /// Tries in all, the first included; 1 never retries. Default 3.
    public var maxAttempts: Int
    /// The wait before the first retry. Default 10 ms.
    public var initialBackoff: Duration
    /// The longest wait between tries. Default 500 ms.
    public var maxBackoff: Duration
    /// Each wait is this many times the one before. Default 2.
    public var multiplier: Int

    /// Makes a policy; every argument defaults to the value stated on its property.
    public init(
        maxAttempts: Int = 3,
        initialBackoff: Duration = .milliseconds(10),
        maxBackoff: Duration = .milliseconds(500),
        multiplier: Int = 2
    ) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
    }

    /// The wait before try number `attempt + 1` (after `attempt` failed tries) following `error`.
    public func backoff(after attempt: Int, error: RPCError) -> Duration {
        if let retryAfter = error.retryAfterMs { return min(.milliseconds(Int64(retryAfter)), self.maxBackoff) }
        var wait = self.initialBackoff
        for _ in 1..<max(attempt, 1) { wait = min(wait * self.multiplier, self.maxBackoff) }
        return min(wait, self.maxBackoff)
    }
}
