internal import NIOCore
internal import NIOHTTP2

/// Arms, once a read from the connection is done, the deadline timers of the calls that opened
/// during it and still wait for their request.
///
/// A stream hears its first `channelReadComplete` as it opens, when its HEADERS have been
/// delivered but the DATA behind them in the same read has not. Armed there, a unary call's timer
/// would be scheduled and cancelled moments later, for nearly every call (about 2 % of a unary
/// call's CPU on the scorer, perf 2026-11-24). Armed here instead, it is skipped for every call
/// answered within the read that opened it, and a call whose request stops short still gets its
/// timer before the event loop waits for more bytes.
///
/// It sits after the HTTP/2 handler, which tells its streams that a read is complete before it
/// tells the handlers after it.
///
/// - Important: event-loop confined.
final class DeadlineArming: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame

    /// Calls that opened in the read in progress and asked for a timer.
    private var waiting: [RPCStreamHandler] = []
    /// Kept between reads so that a busy connection does not allocate for every read.
    private var spare: [RPCStreamHandler] = []

    /// Arms `call`'s deadline timer at the end of the read in progress, if it is still waiting.
    func armAfterRead(_ call: RPCStreamHandler) {
        self.waiting.append(call)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !self.waiting.isEmpty {
            swap(&self.waiting, &self.spare)
            for call in self.spare { call.armDeadlineTimerIfWaiting() }
            self.spare.removeAll(keepingCapacity: true)
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.waiting.removeAll()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.waiting.removeAll()
    }
}

@available(*, unavailable)
extension DeadlineArming: Sendable {}
