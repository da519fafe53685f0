internal import NIOCore

/// The last handler of a caller's connection: closes it when the HTTP/2 handler reports a
/// connection error (``HTTP2ConnectionFailure``). Its calls then fail `UNAVAILABLE` at once, and
/// connection pools open a new one, instead of waiting for their deadlines on a connection the
/// server has stopped answering.
final class ClientConnectionFailureHandler: ChannelInboundHandler {
    typealias InboundIn = Any

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if HTTP2ConnectionFailure.isFatal(error) {
            context.close(promise: nil)
        }
        context.fireErrorCaught(error)
    }
}

@available(*, unavailable)
extension ClientConnectionFailureHandler: Sendable {}
