internal import Logging
internal import NIOCore
internal import NIOHTTP2

/// Drains one HTTP/2 connection on graceful shutdown and closes it when idle too long.
///
/// It counts the connection's open streams (calls) itself. Idle means no call open for
/// `maxIdleTime` since the last one closed. The idle timer is not moved on every call (a busy
/// connection goes idle between calls thousands of times a second, and scheduling and cancelling
/// a timer each time cost about 1.5 % of a unary call's CPU): it stays armed, and when it fires
/// early it re-arms for the rest of the idle time. On `ChannelShouldQuiesceEvent` it
/// sends GOAWAY, after which the caller opens no new streams here (RFC 9113 §6.8), lets the open
/// calls finish and then closes the connection, or at the grace period by force. (The GOAWAY
/// names the highest stream ID, so a stream the caller opened just before it is still served.)
///
/// (swift-nio-http2's `NIOHTTP2ServerConnectionManagementHandler` cannot be used with the inline
/// multiplexer: it never learns of inbound streams, so it closes a draining connection under its
/// calls in flight.)
///
/// - Important: event-loop confined.
final class ConnectionDrainHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private let gracePeriod: TimeAmount
    private let maxIdleTime: TimeAmount?
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var openStreams = 0
    private var draining = false
    /// When the last call closed, leaving none open (or when the connection started).
    private var idleSince: NIODeadline
    private var idleTimer: Scheduled<Void>?
    private var graceTimer: Scheduled<Void>?

    init(gracePeriod: TimeAmount, maxIdleTime: TimeAmount?, logger: Logger) {
        self.gracePeriod = gracePeriod
        self.maxIdleTime = maxIdleTime
        self.logger = logger
        self.idleSince = .now()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.idleSince = context.eventLoop.now
        self.armIdleTimer()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.cancelTimers()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.cancelTimers()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            self.beginDraining()
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A stream (call) opened on this connection. An armed idle timer stays: it finds the call
    /// open when it fires.
    func streamOpened() {
        self.openStreams += 1
    }

    /// A stream closed.
    func streamClosed() {
        self.openStreams -= 1
        guard self.openStreams == 0, let context = self.context else { return }
        if self.draining {
            context.close(promise: nil)
        } else {
            self.idleSince = context.eventLoop.now
            self.armIdleTimer()
        }
    }

    private func beginDraining() {
        guard !self.draining, let context = self.context else { return }
        self.draining = true
        let goAway = HTTP2Frame(
            streamID: .rootStream,
            payload: .goAway(lastStreamID: .maxID, errorCode: .noError, opaqueData: nil)
        )
        context.writeAndFlush(self.wrapOutboundOut(goAway), promise: nil)
        if self.openStreams == 0 {
            context.close(promise: nil)
            return
        }
        self.logger.debug("draining connection", metadata: ["calls": "\(self.openStreams)"])
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.graceTimer = context.eventLoop.scheduleTask(in: self.gracePeriod) {
            loopBound.value.close(promise: nil)
        }
    }

    /// Arms the idle timer for `maxIdleTime` after ``idleSince``, unless it is armed already
    /// (then it fires earlier and re-arms itself).
    private func armIdleTimer() {
        guard let maxIdleTime = self.maxIdleTime, let context = self.context, self.idleTimer == nil else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.idleTimer = context.eventLoop.scheduleTask(deadline: self.idleSince + maxIdleTime) {
            loopBound.value.idleTimerFired()
        }
    }

    private func idleTimerFired() {
        self.idleTimer = nil
        // With calls open, the next call to close re-arms the timer.
        guard self.openStreams == 0, !self.draining, let maxIdleTime = self.maxIdleTime,
            let context = self.context
        else { return }
        if context.eventLoop.now >= self.idleSince + maxIdleTime {
            self.beginDraining()
        } else {
            self.armIdleTimer()
        }
    }

    private func cancelTimers() {
        self.idleTimer?.cancel()
        self.idleTimer = nil
        self.graceTimer?.cancel()
        self.graceTimer = nil
    }
}

@available(*, unavailable)
extension ConnectionDrainHandler: Sendable {}
