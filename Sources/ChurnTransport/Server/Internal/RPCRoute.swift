internal import ChurnWire
internal import NIOCore

/// A registered method with its types erased: decodes a request payload, runs the handler and
/// appends the response frame, at once or when the handler's work completes.
struct RPCRoute: Sendable {
    /// Appends the answer's frame, with the flags given, to the output.
    typealias Respond =
        @Sendable (
            _ payload: ByteBuffer,
            _ context: RPCContext,
            _ encoder: inout FrameEncoder,
            _ flags: FrameFlags,
            _ output: inout ByteBuffer
        ) throws(RPCError) -> Void

    /// Starts the work on a request; the future gives what appends the answer's frame.
    typealias RespondLater =
        @Sendable (
            _ payload: ByteBuffer,
            _ context: RPCContext,
            _ eventLoop: any EventLoop
        ) throws(RPCError) -> EventLoopFuture<DeferredAnswer>

    /// How the route answers.
    enum Handling: Sendable {
        /// Inline, on the event loop, before the next frame is read.
        case immediate(Respond)
        /// When the handler's future completes; the stream reads no further frame until then.
        case deferred(RespondLater)
    }

    /// A response whose type is erased until it is written.
    struct DeferredAnswer: Sendable {
        let encode: @Sendable (_ encoder: inout FrameEncoder, _ flags: FrameFlags, _ output: inout ByteBuffer) -> Void
    }

    let descriptor: RPCMethodDescriptor
    let handling: Handling

    init(_ descriptor: RPCMethodDescriptor, respond: @escaping Respond) {
        self.descriptor = descriptor
        self.handling = .immediate(respond)
    }

    init(_ descriptor: RPCMethodDescriptor, respondLater: @escaping RespondLater) {
        self.descriptor = descriptor
        self.handling = .deferred(respondLater)
    }

    var isUnary: Bool { self.descriptor.kind == .unary }
}
