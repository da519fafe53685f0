internal import Logging
internal import NIOCore

/// The last handler of a connection: an error nothing before it handled (a failed TLS handshake,
/// garbage instead of TLS, an HTTP/2 protocol error) closes this connection, and only this one.
final class ConnectionErrorHandler: ChannelInboundHandler {
    typealias InboundIn = Any

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug(
            "connection closed on error",
            metadata: ["peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")", "error": "\(error)"]
        )
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension ConnectionErrorHandler: Sendable {}
