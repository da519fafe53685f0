internal import NIOCore

/// Sits between a caller's HTTP/2 handler and its TLS handler and turns the flushes asked for
/// within one pass of the event loop's task queue into one, run at the end of that pass.
///
/// A server's answers are written while it reads, and swift-nio-http2 already holds their flushes
/// until the read ends. A caller's calls start outside any read (each in a task of its own,
/// queued by the stream multiplexer), so each call's flush went down to TLS and the socket on its
/// own: one TLS record and one `write` per call. Under load many calls start in one pass, and
/// with this they share a record and a system call. A call waits for its flush one queued task
/// longer than before, which is microseconds.
final class FlushCoalescingHandler: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny

    /// A flush is queued and has not run yet.
    private var flushQueued = false

    func flush(context: ChannelHandlerContext) {
        guard !self.flushQueued else { return }
        self.flushQueued = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let (handler, context) = loopBound.value
            handler.flushQueued = false
            context.flush()
        }
    }
}

@available(*, unavailable)
extension FlushCoalescingHandler: Sendable {}
