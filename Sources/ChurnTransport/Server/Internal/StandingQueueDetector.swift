internal import NIOCore

/// Whether the calls on one connection have been waiting in a queue that stands instead of
/// draining: CoDel's rule as "Fail at Scale" (Maurer, ACM Queue 2015) applies it to RPC servers.
/// A queue that emptied within the last ``interval`` is a burst, and its calls are served up to
/// the arrival-delay limit; one where every call has waited longer than ``target`` for a whole
/// interval is standing, and its calls are served only within `target` of being sent.
///
/// Why: after an overload, a scorer receiving about its capacity drains its backlog only at the
/// difference between the two, so every call keeps waiting about as long as the arrival-delay
/// limit allows (1 s) for as long as the load lasts. Shedding the calls that waited past
/// `target` costs microseconds each, so the backlog goes at once and the calls after it are
/// served in time again.
///
/// - Important: event-loop confined: one per connection, used by its streams.
final class StandingQueueDetector {
    /// Waits up to this many milliseconds are no queue.
    let target: Int64
    /// How long every wait must stay above ``target`` before the queue counts as standing.
    let interval: TimeAmount
    /// When a call last waited no more than ``target``: the last time the queue was empty, for
    /// all this connection can tell.
    private var lastShortWait: NIODeadline

    /// A detector whose queue is empty at `now`.
    init(_ limit: RPCServerConfiguration.Limits.StandingQueue, now: NIODeadline = .now()) {
        self.target = limit.target.wholeMilliseconds
        self.interval = TimeAmount(limit.interval)
        self.lastShortWait = now
    }

    /// Counts a call that had waited `wait` milliseconds when its wait was decided (when it was
    /// shed, or when its first frame was read).
    func observe(wait: Int64, now: NIODeadline) {
        if wait <= self.target { self.lastShortWait = now }
    }

    /// Whether no call has waited `target` or less for a whole interval before `now`.
    func isStanding(now: NIODeadline) -> Bool {
        now - self.lastShortWait > self.interval
    }
}

@available(*, unavailable)
extension StandingQueueDetector: Sendable {}
