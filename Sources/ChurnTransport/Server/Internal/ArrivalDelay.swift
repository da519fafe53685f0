internal import NIOCore

/// How long the calls on one connection waited before the server read them: in the caller's
/// buffers, in flow control and in the sockets. Every call says when it was sent
/// (``RPCProtocol/sentAtHeader``, the caller's clock); the difference from the server's clock is
/// the network's delay plus the offset between the two clocks plus the wait. The smallest
/// difference seen on the connection lately stands for the first two, so what is above it is
/// the wait, whatever the clocks' offset.
///
/// "Lately" is the last one to two ``window``s, so a baseline moves with clock drift; a server
/// behind for longer than that stops seeing part of its backlog, so the window is long.
///
/// - Important: event-loop confined: one per connection, used by its streams.
final class ArrivalDelay {
    /// How long a minimum is kept.
    static let window: TimeAmount = .minutes(5)

    private var windowStart: NIODeadline?
    private var minimum = Int64.max
    private var previousMinimum = Int64.max

    init() {}

    /// The wait, in milliseconds, of a call sent at `sentAt` (Unix milliseconds on the caller's
    /// clock) that arrives when this server's wall clock reads `receivedAt`; `now` is the
    /// monotonic time, for the windows.
    func wait(sentAt: Int64, receivedAt: Int64, now: NIODeadline) -> Int64 {
        let difference = receivedAt &- sentAt
        if let start = self.windowStart, now - start < Self.window {
            self.minimum = min(self.minimum, difference)
        } else {
            self.previousMinimum = self.windowStart == nil ? difference : self.minimum
            self.minimum = difference
            self.windowStart = now
        }
        return max(0, difference &- min(self.minimum, self.previousMinimum))
    }
}

@available(*, unavailable)
extension ArrivalDelay: Sendable {}
