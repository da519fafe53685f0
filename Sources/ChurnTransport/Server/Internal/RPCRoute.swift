internal import ChurnWire
internal import NIOCore

/// A registered method with its types erased: decodes a request payload, runs the handler and
/// appends the response frame.
struct RPCRoute: Sendable {
    typealias Respond =
        @Sendable (
            _ payload: ByteBuffer,
            _ context: RPCContext,
            _ encoder: inout FrameEncoder,
            _ flags: FrameFlags,
            _ output: inout ByteBuffer
        ) throws(RPCError) -> Void

    let descriptor: RPCMethodDescriptor
    let respond: Respond

    init(_ descriptor: RPCMethodDescriptor, respond: @escaping Respond) {
        self.descriptor = descriptor
        self.respond = respond
    }

    var isUnary: Bool { self.descriptor.kind == .unary }
}
