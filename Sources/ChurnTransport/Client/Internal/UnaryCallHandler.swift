internal import ChurnWire
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

/// One unary call on its own HTTP/2 stream, driven inside the event loop: it writes the request
/// (HEADERS, then one DATA frame that ends the stream) as soon as the stream is active, reads
/// the answer through a ``ResponseFrameReader``, and completes `promise` with the first answer
/// frame, or fails it with the call's ``RPCError``.
///
/// The caller's task waits on the promise once; nothing else crosses threads. This is the
/// cheap path for unary calls (streaming calls use `NIOAsyncChannel`).
final class UnaryCallHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let headers: HPACKHeaders
    private let body: ByteBuffer
    private let deadline: NIODeadline?
    private let target: String
    private let promise: EventLoopPromise<Frame>
    private var reader: ResponseFrameReader
    private var timer: Scheduled<Void>?
    private var completed = false

    init(
        headers: HPACKHeaders,
        body: ByteBuffer,
        deadline: NIODeadline?,
        limits: WireLimits,
        target: String,
        promise: EventLoopPromise<Frame>
    ) {
        self.headers = headers
        self.body = body
        self.deadline = deadline
        self.target = target
        self.promise = promise
        self.reader = ResponseFrameReader(limits: limits)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard self.timer == nil, !self.completed else { return }
        if let deadline = self.deadline {
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            self.timer = context.eventLoop.scheduleTask(deadline: deadline) {
                let (handler, context) = loopBound.value
                handler.fail(handler.deadlineError, context: context)
            }
        }
        context.write(self.wrapOutboundOut(.headers(.init(headers: self.headers))), promise: nil)
        let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(self.body), endStream: true)
        context.writeAndFlush(self.wrapOutboundOut(.data(data)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.completed else { return }
        do throws(RPCError) {
            try self.reader.receive(self.unwrapInboundIn(data))
            if let frame = try self.reader.nextFrame() {
                // The timer can fire late on a busy loop: an answer that came after the
                // deadline is as late as no answer, whichever of the two runs first.
                if let deadline = self.deadline, NIODeadline.now() >= deadline { throw self.deadlineError }
                self.complete()
                self.promise.succeed(frame)
            } else if self.reader.ended {
                throw RPCError(.internal, "the server ended the call without an answer")
            }
        } catch {
            self.fail(error, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !self.completed {
            self.complete()
            self.promise.fail(RPCError(.unavailable, "the stream to \(self.target) closed before the server answered"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(
            error as? RPCError
                ?? RPCError(.unavailable, "the connection to \(self.target) failed: \(error)", cause: error),
            context: context
        )
    }

    private func fail(_ error: RPCError, context: ChannelHandlerContext) {
        guard !self.completed else { return }
        self.complete()
        self.promise.fail(error)
        // Closing a stream the server has not ended resets it, so the server stops working on it.
        context.close(promise: nil)
    }

    private var deadlineError: RPCError {
        RPCError(.deadlineExceeded, "no answer from \(self.target) within the call's timeout")
    }

    private func complete() {
        self.completed = true
        self.timer?.cancel()
        self.timer = nil
    }
}
