internal import ChurnWire
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

/// What a unary call needs to open its stream: run on the connection's event loop, it opens an
/// HTTP/2 stream with a ``UnaryCallHandler`` that writes the request and completes `promise`
/// with the answer frame, or fails `promise` when the stream cannot be opened.
struct UnaryCallStart: Sendable {
    var connection: any Channel
    var multiplexer: NIOHTTP2Handler.StreamMultiplexer
    var headers: HPACKHeaders
    var body: ByteBuffer
    var deadline: NIODeadline?
    var limits: WireLimits
    var target: String
    var promise: EventLoopPromise<Frame>

    /// Opens the stream; must run on the connection's event loop.
    func run() {
        self.connection.eventLoop.assertInEventLoop()
        guard self.connection.isActive else {
            self.promise.fail(RPCError(.unavailable, "the connection to \(self.target) is closed"))
            return
        }
        let call = self
        self.multiplexer.createStreamChannel { stream in
            stream.eventLoop.makeCompletedFuture {
                let handler = UnaryCallHandler(
                    headers: call.headers,
                    body: call.body,
                    deadline: call.deadline,
                    limits: call.limits,
                    target: call.target,
                    promise: call.promise
                )
                try stream.pipeline.syncOperations.addHandler(handler)
            }
        }.whenFailure { error in
            call.promise.fail(RPCError(.unavailable, "cannot open a stream to \(call.target): \(error)", cause: error))
        }
    }
}
