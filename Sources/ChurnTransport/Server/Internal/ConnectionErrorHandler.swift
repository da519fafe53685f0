internal import Logging
internal import NIOCore
internal import NIOHTTP2

/// The last handler of a connection: an error nothing before it handled (a failed TLS handshake,
/// garbage instead of TLS, a socket error) closes this connection, and only this one.
///
/// HTTP/2 errors are told apart. For a connection error (``HTTP2ConnectionFailure``) the HTTP/2
/// handler has sent GOAWAY but left the connection open: it is closed here. A stream error (a
/// frame for a stream just reset, a stream the caller broke) concerns one call, and closing the
/// connection for it would fail every other call on it.
final class ConnectionErrorHandler: ChannelInboundHandler {
    typealias InboundIn = Any

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if HTTP2ConnectionFailure.isFromHTTP2(error), !HTTP2ConnectionFailure.isFatal(error) {
            self.logger.debug("http2 stream error", metadata: ["error": "\(error)"])
            return
        }
        self.logger.debug(
            "connection closed on error",
            metadata: ["peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")", "error": "\(error)"]
        )
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension ConnectionErrorHandler: Sendable {}
