internal import ChurnWire
internal import Logging
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

/// Serves one RPC on one HTTP/2 stream, inline on the connection's event loop: reads the
/// request's HEADERS and DATA, cuts wire frames out of the bytes, runs the method's handler on
/// each and writes the answers (`wire/README.md`, §6).
///
/// Backpressure: the handler asks its stream for more bytes only while the stream can take more
/// answers. A caller that stops reading answers therefore stops getting its request bytes read,
/// so its HTTP/2 window closes and memory on the server stays bounded by the stream window.
///
/// Admission: a call with valid HEADERS takes one of the server's places for calls in progress
/// (``CallAdmission``) and gives it back when it ends, however it ends; when none is free it is
/// answered `OVERLOADED` with a retry hint before any of its request is read. A call that waited
/// longer than ``RPCServerConfiguration/Limits/maxArrivalDelay`` between its caller sending it and
/// the server reading it (at its HEADERS, and again at its first frame, whose bytes can queue
/// behind other calls' in flow control) while other calls are in progress is answered
/// `OVERLOADED` too, before it is served: its
/// caller can retry elsewhere while there is time, and the server catches up. With
/// ``RPCServerConfiguration/Limits/standingQueue`` on, the same goes for a call that waited past
/// the rule's target while its connection's queue is standing (``StandingQueueDetector``).
///
/// Deferred routes (``RPCRouter/register(_:completingLater:)``): the frame's work is started and
/// its answer written when the work's future completes; meanwhile no further frame is cut from
/// the request, the call keeps its place and its deadline timer runs.
///
/// - Important: event-loop confined; not `Sendable`.
final class RPCStreamHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let router: RPCRouter
    private let limits: RPCServerConfiguration.Limits
    private let admission: CallAdmission
    /// The connection's measure of how long calls waited to reach the server.
    private let arrivals: ArrivalDelay?
    /// The connection's judge of whether those waits are a queue that stands
    /// (``RPCServerConfiguration/Limits/standingQueue``); nil when the rule is off.
    private let standingQueue: StandingQueueDetector?
    /// When the call took its place in ``admission``; nil before, once the place is given back,
    /// and for a call that never got one.
    private var admittedAt: NIODeadline?
    /// Bytes of unfinished request frames this call counts in ``admission``.
    private var bytesCounted = 0
    /// When the caller sent the call (``RPCProtocol/sentAtHeader``), kept until its first frame
    /// is served.
    private var sentAt: Int64?
    private let logger: Logger
    private var state: StateMachine
    private var encoder = FrameEncoder()
    /// Request bytes received and not yet cut into frames.
    private var pending: FrameAccumulator
    private var route: RPCRoute?
    private var callContext: RPCContext?
    private var deadlineTimer: Scheduled<Void>?
    /// Whether the caller has ended its request (END_STREAM).
    private var requestEnded = false
    /// Closes the stream of a call answered with an error whose request had not ended, if the
    /// caller has not ended it within ``RPCServerConfiguration/Limits/answeredRequestGrace``.
    private var graceTimer: Scheduled<Void>?
    /// A read the pipeline asked for while the stream could not take more answers.
    private var readHeldBack = false
    /// The frame whose answer a deferred route is working on: no further frame is read until it
    /// comes. `number` tells a stale completion (after the deadline answered) from the current one.
    private var awaiting: (number: Int, endsCall: Bool)?
    /// Deferred answers started on this stream.
    private var deferredStarted = 0

    /// The connection's drain handler, told when this stream opens and closes.
    private let drain: ConnectionDrainHandler?
    /// The connection's handler that arms the timer of a call still waiting at the end of the
    /// read that opened it; nil arms it at the stream's first read-complete.
    private let deadlineArming: DeadlineArming?
    /// This stream's context while the handler is in its pipeline.
    private var context: ChannelHandlerContext?
    /// Whether the stream has heard a read-complete: the first comes as it opens, mid-read.
    private var heardReadComplete = false

    init(
        router: RPCRouter,
        limits: RPCServerConfiguration.Limits,
        admission: CallAdmission,
        arrivals: ArrivalDelay?,
        standingQueue: StandingQueueDetector? = nil,
        logger: Logger,
        drain: ConnectionDrainHandler?,
        deadlineArming: DeadlineArming?
    ) {
        self.router = router
        self.admission = admission
        self.arrivals = arrivals
        self.standingQueue = standingQueue
        self.drain = drain
        self.deadlineArming = deadlineArming
        self.limits = limits
        self.logger = logger
        self.state = StateMachine(maxFramesPerStream: limits.maxFramesPerStream)
        self.pending = FrameAccumulator(parser: FrameParser(limits: limits.wire, acceptsCompression: true))
    }

    /// The response HEADERS of every call that is served.
    static let okHeaders: HPACKHeaders = [
        ":status": "200",
        "content-type": RPCProtocol.contentType,
        RPCProtocol.acceptEncodingHeader: RPCProtocol.lz4,
    ]

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .headers(let headers):
            // Known before the call is answered: an answer to an ended request closes the stream.
            self.requestEnded = self.requestEnded || headers.endStream
            self.receivedHeaders(headers.headers, context: context)
            if headers.endStream { self.receivedEndOfRequest(context: context) }
        case .data(let data):
            guard case .byteBuffer(let bytes) = data.data else { return }
            self.requestEnded = self.requestEnded || data.endStream
            self.receivedBytes(bytes, context: context)
            if data.endStream { self.receivedEndOfRequest(context: context) }
        default:
            // RST_STREAM closes the stream channel; WINDOW_UPDATE and PRIORITY need nothing.
            break
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.drain?.streamOpened()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.awaiting = nil
        self.graceTimer?.cancel()
        self.graceTimer = nil
        self.leaveAdmission()
        self.drain?.streamClosed()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // A call still waiting for its request gets a timer; one answered within this read (the
        // usual unary case) never pays for it. The first read-complete comes as the stream opens,
        // before the DATA behind its HEADERS is delivered: the connection arms the timer at the
        // end of its read instead, if the call is still waiting then.
        if !self.heardReadComplete, let deadlineArming = self.deadlineArming {
            self.heardReadComplete = true
            if self.needsDeadlineTimer { deadlineArming.armAfterRead(self) }
        } else {
            self.heardReadComplete = true
            self.armDeadlineTimerIfWaiting()
        }
        context.fireChannelReadComplete()
    }

    private var needsDeadlineTimer: Bool {
        self.deadlineTimer == nil && (self.state.isOpen || self.awaiting != nil) && self.callContext?.deadline != nil
    }

    /// Schedules the call's deadline timer if the call is open, has a deadline and has no timer.
    func armDeadlineTimerIfWaiting() {
        guard self.needsDeadlineTimer, let context = self.context, let deadline = self.callContext?.deadline else {
            return
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.deadlineTimer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.deadlinePassed(context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            self.readHeldBack = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, self.readHeldBack {
            self.readHeldBack = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.deadlineTimer?.cancel()
        self.deadlineTimer = nil
        self.awaiting = nil
        self.graceTimer?.cancel()
        self.graceTimer = nil
        self.leaveAdmission()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A stream error (such as a reset by the peer): nothing more can be said on this stream.
        self.logger.debug("rpc.stream error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: - Events

    private func receivedHeaders(_ headers: HPACKHeaders, context: ChannelHandlerContext) {
        let head = StateMachine.RequestHead(
            method: headers.first(name: ":method"),
            path: headers.first(name: ":path"),
            contentType: headers.first(name: "content-type"),
            timeout: headers.first(name: RPCProtocol.timeoutHeader),
            acceptsLZ4: headers.first(name: RPCProtocol.acceptEncodingHeader).map(RPCProtocol.listsLZ4) ?? false,
            sentAt: headers.first(name: RPCProtocol.sentAtHeader)
        )
        let route = head.path.flatMap { self.router.route(for: $0) }
        switch self.state.receivedHeaders(head, route: route) {
        case .serve(let timeout, let sentAt):
            // How long the call waited to get here: it is late by that much already.
            self.sentAt = sentAt
            let now = NIODeadline.now()
            let waited = self.arrivalWait(now: now)
            if let late = self.lateness(waited: waited, othersInProgress: self.admission.callsInProgress, now: now) {
                // Its wait is final here; a call served has it counted at its first frame.
                if let waited { self.standingQueue?.observe(wait: waited, now: now) }
                _ = self.admission.shed(late.standingQueue ? .standingQueue : .lateAtHeaders)
                self.fail(late.error, context: context)
                return
            }
            let decision = self.admission.admit()
            guard decision == .admitted else {
                self.shed(decision, context: context)
                return
            }
            self.admittedAt = .now()
            self.route = route
            self.encoder.peerAcceptsCompression = head.acceptsLZ4
            self.callContext = RPCContext(
                method: route!.descriptor,
                deadline: timeout.map { now + .milliseconds($0 - (waited ?? 0)) },
                limits: self.limits.wire
            )
        case .reject(let rejection):
            self.reject(rejection, context: context)
        }
    }

    private func receivedBytes(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        self.pending.append(bytes)
        while !self.state.isDone && self.awaiting == nil {
            let frame: Frame?
            do {
                frame = try self.pending.nextFrame()
            } catch {
                if let rejection = self.state.failed(error.rpcError) { self.reject(rejection, context: context) }
                return
            }
            guard let frame else { break }
            self.receivedFrame(frame, context: context)
        }
        if self.state.isDone { self.pending.removeAll() }
        if self.admittedAt != nil {
            let held = self.pending.heldBytes
            if held != self.bytesCounted {
                self.admission.buffered(held - self.bytesCounted)
                self.bytesCounted = held
            }
        }
    }

    private func receivedFrame(_ frame: Frame, context: ChannelHandlerContext) {
        switch self.state.receivedFrame(endFlag: frame.isEnd) {
        case .ignore:
            return
        case .reject(let rejection):
            self.reject(rejection, context: context)
        case .process(let needsHeaders, let endsCall):
            guard let route = self.route, let callContext = self.callContext else { return }
            if needsHeaders {
                context.write(self.wrapOutboundOut(.headers(.init(headers: Self.okHeaders))), promise: nil)
                // HEADERS are not flow-controlled and overtake request bodies queued in the
                // caller's window: the first frame can be late where its HEADERS were not.
                // This call holds one of the places in progress itself.
                let others = self.admission.callsInProgress - 1
                let now = NIODeadline.now()
                let waited = self.arrivalWait(now: now)
                if let waited { self.standingQueue?.observe(wait: waited, now: now) }
                if let late = self.lateness(waited: waited, othersInProgress: others, now: now) {
                    _ = self.admission.shed(late.standingQueue ? .standingQueue : .lateAtFirstFrame)
                    self.processingFailed(late.error, endsCall: endsCall, context: context)
                    return
                }
                self.sentAt = nil
            }
            if callContext.isExpired() {
                let error = RPCError(.deadlineExceeded, "the call's deadline passed before it was served")
                self.processingFailed(error, endsCall: endsCall, context: context)
                return
            }
            if frame.isError {
                let error = RPCError(.invalidArgument, "a request frame has the error flag")
                self.processingFailed(error, endsCall: endsCall, context: context)
                return
            }
            let respond: RPCRoute.Respond
            switch route.handling {
            case .immediate(let immediate):
                respond = immediate
            case .deferred(let respondLater):
                self.startDeferred(
                    respondLater,
                    frame: frame,
                    callContext: callContext,
                    endsCall: endsCall,
                    context: context
                )
                return
            }
            var output = context.channel.allocator.buffer(capacity: 0)
            do {
                try respond(frame.payload, callContext, &self.encoder, endsCall ? .end : [], &output)
            } catch {
                self.logger.trace("rpc.failed", metadata: ["rpc.method": "\(route.descriptor)", "error": "\(error)"])
                self.processingFailed(error, endsCall: endsCall, context: context)
                return
            }
            let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(output), endStream: endsCall)
            context.writeAndFlush(self.wrapOutboundOut(.data(data)), promise: nil)
            if needsHeaders, let admittedAt = self.admittedAt {
                self.admission.firstAnswer(after: .now() - admittedAt)
            }
            if endsCall { self.callEnded() }
        }
    }

    private func receivedEndOfRequest(context: ChannelHandlerContext) {
        // Frames still unread wait for the pending answer; the end is taken up after them.
        guard self.awaiting == nil else { return }
        if self.pending.heldBytes > 0, !self.state.isDone {
            self.fail(
                RPCError(.invalidArgument, "the request ended inside a frame (\(self.pending.heldBytes) bytes left)"),
                context: context
            )
            return
        }
        switch self.state.receivedEndOfRequest() {
        case .none:
            break
        case .reject(let rejection):
            self.reject(rejection, context: context)
        case .finish(let needsHeaders):
            if needsHeaders {
                context.write(self.wrapOutboundOut(.headers(.init(headers: Self.okHeaders))), promise: nil)
            }
            let end = HTTP2Frame.FramePayload.Data(data: .byteBuffer(ByteBuffer()), endStream: true)
            context.writeAndFlush(self.wrapOutboundOut(.data(end)), promise: nil)
            self.callEnded()
        }
    }

    /// Starts a deferred route's work on `frame`; its answer is written when the work completes,
    /// and the stream reads on then.
    private func startDeferred(
        _ respondLater: RPCRoute.RespondLater,
        frame: Frame,
        callContext: RPCContext,
        endsCall: Bool,
        context: ChannelHandlerContext
    ) {
        let answer: EventLoopFuture<RPCRoute.DeferredAnswer>
        do {
            answer = try respondLater(frame.payload, callContext, context.eventLoop)
        } catch {
            self.processingFailed(error, endsCall: endsCall, context: context)
            return
        }
        self.deferredStarted += 1
        let number = self.deferredStarted
        self.awaiting = (number, endsCall)
        self.armDeadlineTimerIfWaiting()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        answer.hop(to: context.eventLoop).whenComplete { result in
            let (handler, context) = loopBound.value
            handler.deferredAnswerCame(result, number: number, context: context)
        }
    }

    /// A deferred route's work completed: its answer is written, unless the call has ended
    /// meanwhile (deadline, reset), and the frames that came meanwhile are served.
    private func deferredAnswerCame(
        _ result: Result<RPCRoute.DeferredAnswer, any Error>,
        number: Int,
        context: ChannelHandlerContext
    ) {
        guard let awaiting = self.awaiting, awaiting.number == number, self.context != nil else { return }
        self.awaiting = nil
        switch result {
        case .success(let answer):
            var output = context.channel.allocator.buffer(capacity: 0)
            answer.encode(&self.encoder, awaiting.endsCall ? .end : [], &output)
            let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(output), endStream: awaiting.endsCall)
            context.writeAndFlush(self.wrapOutboundOut(.data(data)), promise: nil)
            if awaiting.endsCall {
                self.callEnded()
                return
            }
        case .failure(let error):
            let rpcError = (error as? RPCError) ?? RPCError(.internal, "the call's work failed: \(error)")
            self.logger.trace(
                "rpc.failed",
                metadata: ["rpc.method": "\(self.route?.descriptor.path ?? "")", "error": "\(rpcError)"]
            )
            self.processingFailed(rpcError, endsCall: awaiting.endsCall, context: context)
            return
        }
        // Frames that came while the answer was pending, then the request's end if it came too.
        self.receivedBytes(ByteBuffer(), context: context)
        if self.requestEnded, self.awaiting == nil, !self.state.isDone {
            self.receivedEndOfRequest(context: context)
        }
    }

    /// The server is at a limit of ``CallAdmission``: the call is answered `OVERLOADED` now, with
    /// how long admitted calls have recently waited for a first answer as the retry hint.
    private func shed(_ decision: CallAdmission.Decision, context: ChannelHandlerContext) {
        let retryAfter = self.admission.shed(decision == .tooManyCalls ? .callsInProgress : .bytesArriving)
        let limit =
            decision == .tooManyCalls
            ? "its limit of \(self.admission.callLimit) calls in progress"
            : "its limit of \(self.admission.byteLimit) bytes of requests still arriving"
        var error = RPCError(
            .overloaded,
            "the server is behind (at \(limit)); retry after \(retryAfter) ms or on another replica"
        )
        error.retryAfterMs = retryAfter
        self.fail(error, context: context)
    }

    /// How long the call has waited since its caller sent it, in milliseconds; nil when it did
    /// not say when, or the server does not measure it.
    private func arrivalWait(now: NIODeadline) -> Int64? {
        guard let sentAt = self.sentAt, let arrivals = self.arrivals else { return nil }
        return arrivals.wait(sentAt: sentAt, receivedAt: WallClock.nowMilliseconds(), now: now)
    }

    /// The `OVERLOADED` answer for a call that waited `waited` ms before the server could read
    /// it, while the server has other calls in hand: longer than
    /// ``RPCServerConfiguration/Limits/maxArrivalDelay``, or, while this connection's queue is
    /// standing (``StandingQueueDetector``), longer than the rule's target. nil when it is in
    /// time, when its wait is unknown, or when no other call is in progress: an idle server
    /// serves a late call at once (the wait was elsewhere, such as a caller's starved event
    /// loop, and shedding would not shorten any queue). The wait is the retry hint: about the
    /// time the server needs to catch up.
    private func lateness(
        waited: Int64?,
        othersInProgress: Int,
        now: NIODeadline
    ) -> (error: RPCError, standingQueue: Bool)? {
        guard let waited, othersInProgress > 0 else { return nil }
        let reason: String
        let standing: Bool
        if let limit = self.limits.maxArrivalDelay?.wholeMilliseconds, waited > limit {
            reason = "(limit \(limit) ms)"
            standing = false
        } else if let queue = self.standingQueue, waited > queue.target, queue.isStanding(now: now) {
            reason =
                "(limit \(queue.target) ms while every call on this connection has waited longer for "
                + "\(queue.interval.nanoseconds / 1_000_000) ms: a standing queue)"
            standing = true
        } else {
            return nil
        }
        let retryAfter = UInt32(
            min(max(waited, CallAdmission.retryAfterRange.lowerBound), CallAdmission.retryAfterRange.upperBound)
        )
        var error = RPCError(
            .overloaded,
            "the call waited \(waited) ms before the server could read it \(reason): the server is behind; "
                + "retry after \(retryAfter) ms or on another replica"
        )
        error.retryAfterMs = retryAfter
        return (error, standing)
    }

    private func deadlinePassed(context: ChannelHandlerContext) {
        self.deadlineTimer = nil
        if self.awaiting != nil {
            // The answer being worked on will be dropped when it comes.
            self.awaiting = nil
            let error = RPCError(.deadlineExceeded, "the call's deadline passed before its work completed")
            if let rejection = self.state.failed(error) {
                self.reject(rejection, context: context)
            } else {
                self.writeError(error, context: context)
            }
            return
        }
        if let rejection = self.state.deadlinePassed() { self.reject(rejection, context: context) }
    }

    // MARK: - Answers

    private func fail(_ error: RPCError, context: ChannelHandlerContext) {
        if let rejection = self.state.failed(error) { self.reject(rejection, context: context) }
    }

    /// A frame the state machine let through could not be answered: its call ends with `error`.
    /// When the frame was the call's last the state machine is already done, so the error is
    /// written here; otherwise the state machine ends the call.
    private func processingFailed(_ error: RPCError, endsCall: Bool, context: ChannelHandlerContext) {
        if endsCall {
            self.writeError(error, context: context)
        } else {
            self.fail(error, context: context)
        }
    }

    /// Ends the call with an error frame, sending response headers first if they are not out,
    /// then closes the stream so a caller still sending is stopped (RST_STREAM).
    private func reject(_ rejection: StateMachine.Rejection, context: ChannelHandlerContext) {
        if rejection.needsHeaders {
            // Pseudo-headers first: a :status after other fields is an invalid header block.
            let headers: HPACKHeaders =
                rejection.httpStatus == 200
                ? Self.okHeaders
                : [
                    ":status": String(rejection.httpStatus),
                    "content-type": RPCProtocol.contentType,
                    RPCProtocol.acceptEncodingHeader: RPCProtocol.lz4,
                ]
            context.write(self.wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
        }
        self.writeError(rejection.error, context: context)
    }

    /// Writes `error` as the call's last frame; once it is sent the stream closes
    /// (``closeAfterAnswer(context:)``).
    private func writeError(_ error: RPCError, context: ChannelHandlerContext) {
        var output = context.channel.allocator.buffer(capacity: 0)
        self.encoder.encode(error.reply, flags: [.error, .end], into: &output)
        let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(output), endStream: true)
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(self.wrapOutboundOut(.data(data)), promise: promise)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { _ in
            let (handler, context) = loopBound.value
            handler.closeAfterAnswer(context: context)
        }
        self.callEnded()
    }

    /// After an error answer: a stream whose request has ended is closed now. One whose caller
    /// is still sending is left to the caller, who ends or cancels it on reading the answer
    /// (the bytes on their way are read and dropped), for at most
    /// ``RPCServerConfiguration/Limits/answeredRequestGrace``; a reset from here would cross
    /// them and make them a connection error once the stream is forgotten.
    private func closeAfterAnswer(context: ChannelHandlerContext) {
        guard !self.requestEnded, self.context != nil else {
            context.close(promise: nil)
            return
        }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.graceTimer = context.eventLoop.scheduleTask(in: TimeAmount(self.limits.answeredRequestGrace)) {
            loopBound.value.close(promise: nil)
        }
    }

    private func callEnded() {
        self.deadlineTimer?.cancel()
        self.deadlineTimer = nil
        self.pending.removeAll()
        self.leaveAdmission()
    }

    /// Gives the call's place back, once.
    private func leaveAdmission() {
        guard self.admittedAt != nil else { return }
        self.admittedAt = nil
        self.admission.release(heldBytes: self.bytesCounted)
        self.bytesCounted = 0
    }
}

@available(*, unavailable)
extension RPCStreamHandler: Sendable {}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
