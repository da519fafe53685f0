internal import ChurnWire
internal import NIOCore
internal import NIOHTTP2
internal import NIOSSL
internal import NIOTLS

/// Builds a client connection's pipeline: TLS, a check that ALPN chose `h2`, then HTTP/2 (its
/// flushes gathered per pass of the event loop by a ``FlushCoalescingHandler``).
/// `ready` completes with the stream multiplexer, or fails with the real reason (a certificate
/// the client does not trust shows up here, not as a mysteriously closed stream).
enum ClientConnectionPipeline {
    static func configure(
        _ channel: any Channel,
        sslContext: NIOSSLContext,
        serverName: String?,
        ready: EventLoopPromise<NIOHTTP2Handler.StreamMultiplexer>
    ) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
        let alpn = ApplicationProtocolNegotiationHandler { result, channel in
            guard case .negotiated(let name) = result, name == RPCProtocol.alpn else {
                ready.fail(RPCError(.unavailable, "the server did not agree to HTTP/2 (ALPN h2)"))
                return channel.close()
            }
            return channel.eventLoop.makeCompletedFuture {
                var connection = NIOHTTP2Handler.ConnectionConfiguration()
                connection.initialSettings = [
                    HTTP2Setting(parameter: .maxConcurrentStreams, value: 0),
                    HTTP2Setting(parameter: .initialWindowSize, value: 1 << 20),
                    HTTP2Setting(parameter: .maxHeaderListSize, value: 16_384),
                ]
                connection.targetWindowSize = 8 << 20
                // A call past its deadline resets its stream, and the server's answer may be on
                // its way: swift-nio-http2 ignores frames for the last this-many reset streams and
                // takes one for an older closed stream as a connection error. Its default (32)
                // closed the caller's own connection under overload, when hundreds of calls a
                // second time out.
                connection.maximumRecentlyResetStreams = RPCProtocol.clientRecentlyResetStreamsRemembered
                // swift-nio-http2's defences against a peer that makes its host work for nothing
                // (200 resets or stream errors in 30 s, 200 stream errors in the connection's
                // life) guard servers. A server resets a caller's streams as a matter of course:
                // every call it sheds or rejects while the request is still coming. Under
                // overload that passed 200 in seconds, and the caller gave up its own connection.
                connection.maximumConnectionGlitches = Int.max
                // As on the server (ServerConnectionPipeline): NIOHTTP2's HTTP semantic checks of
                // every header block cost about 4 % of a caller's CPU per unary call (perf, on
                // churnbench). Our request headers are built here from constants, and of an answer
                // we read only :status, content-type and headers of our own as opaque strings;
                // HPACK decoding and its size limit still apply.
                connection.headerBlockValidation = .disabled
                connection.contentLengthValidation = .disabled
                var stream = NIOHTTP2Handler.StreamConfiguration()
                stream.targetWindowSize = 1 << 20
                stream.streamResetFrameRateLimit.maximumCount = RPCProtocol.clientServerResetsPerSecond
                stream.streamResetFrameRateLimit.windowLength = .seconds(1)
                stream.streamErrorRateLimit.maximumCount = RPCProtocol.clientServerResetsPerSecond
                stream.streamErrorRateLimit.windowLength = .seconds(1)
                try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler())
                let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                    mode: .client,
                    connectionConfiguration: connection,
                    streamConfiguration: stream
                ) { stream in
                    // The server pushes nothing: refuse any stream it opens.
                    stream.close()
                }
                try channel.pipeline.syncOperations.addHandler(ClientConnectionFailureHandler())
                ready.succeed(multiplexer)
            }
        }
        try sync.addHandler(alpn)
        try sync.addHandler(ClientConnectionErrorHandler(ready: ready))
    }
}

/// Fails the connection's `ready` promise with the first error (such as the TLS handshake's) and
/// when the connection closes before it was ready; closes the connection on any error.
final class ClientConnectionErrorHandler: ChannelInboundHandler {
    typealias InboundIn = Any
    private let ready: EventLoopPromise<NIOHTTP2Handler.StreamMultiplexer>

    init(ready: EventLoopPromise<NIOHTTP2Handler.StreamMultiplexer>) {
        self.ready = ready
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.ready.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.ready.fail(RPCError(.unavailable, "the connection closed during the handshake"))
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension ClientConnectionErrorHandler: Sendable {}
