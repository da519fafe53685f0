internal import Logging
internal import NIOCore
internal import NIOHTTP2
internal import NIOSSL
internal import NIOTLS

/// Builds a server connection's pipeline: TLS, then (once ALPN settled on `h2`) HTTP/2 with
/// draining and one ``RPCStreamHandler`` per stream.
struct ServerConnectionPipeline: Sendable {
    let sslContext: NIOSSLContext
    let router: RPCRouter
    let configuration: RPCServerConfiguration
    let logger: Logger

    /// How long a connection may take to finish its TLS handshake.
    static let handshakeTimeout = TimeAmount.seconds(10)

    /// Configures a new connection. Must run on its event loop.
    func configure(_ channel: any Channel) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(NIOSSLServerHandler(context: self.sslContext))
        let handshakeTimer = channel.eventLoop.scheduleTask(in: Self.handshakeTimeout) {
            channel.close(promise: nil)
        }
        let alpn = ApplicationProtocolNegotiationHandler { result, channel in
            handshakeTimer.cancel()
            guard case .negotiated(let protocolName) = result, protocolName == RPCProtocol.alpn else {
                self.logger.debug("connection refused: ALPN did not select h2", metadata: ["alpn": "\(result)"])
                return channel.close()
            }
            return channel.eventLoop.makeCompletedFuture {
                try self.configureHTTP2(channel)
            }
        }
        try sync.addHandler(alpn)
    }

    private func configureHTTP2(_ channel: any Channel) throws {
        let limits = self.configuration.limits
        let drain = ConnectionDrainHandler(
            gracePeriod: TimeAmount(self.configuration.shutdownGracePeriod),
            maxIdleTime: self.configuration.maxIdleTime.map { TimeAmount($0) },
            logger: self.logger
        )
        let drainOnLoop = NIOLoopBound(drain, eventLoop: channel.eventLoop)
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: limits.maxConcurrentStreams),
            HTTP2Setting(parameter: .maxFrameSize, value: limits.maxHTTP2FrameSize),
            HTTP2Setting(parameter: .maxHeaderListSize, value: limits.maxHeaderListSize),
            HTTP2Setting(parameter: .initialWindowSize, value: limits.streamWindowSize),
        ]
        // All of a connection's streams together: bounds what one caller can make the server hold.
        connection.targetWindowSize = max(limits.streamWindowSize, 8 << 20)
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = limits.streamWindowSize

        let router = self.router
        let logger = self.logger
        let sync = channel.pipeline.syncOperations
        _ = try sync.configureHTTP2Pipeline(
            mode: .server,
            connectionConfiguration: connection,
            streamConfiguration: stream
        ) { streamChannel in
            streamChannel.eventLoop.makeCompletedFuture {
                let id = try streamChannel.syncOptions?.getOption(HTTP2StreamChannelOptions.streamID)
                drainOnLoop.value.streamOpened(id ?? HTTP2StreamID(0))
                streamChannel.closeFuture.whenComplete { _ in drainOnLoop.value.streamClosed() }
                try streamChannel.pipeline.syncOperations.addHandler(
                    RPCStreamHandler(router: router, limits: limits, logger: logger)
                )
            }
        }
        try sync.addHandler(drain)
        try sync.addHandler(ConnectionErrorHandler(logger: logger))
    }
}
