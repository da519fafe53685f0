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
    /// Shared by every connection: the server's bound on calls in progress.
    let admission: CallAdmission
    let logger: Logger

    /// Configures a new connection. Must run on its event loop.
    func configure(_ channel: any Channel) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(NIOSSLServerHandler(context: self.sslContext))
        let handshakeTimer = channel.eventLoop.scheduleTask(in: TimeAmount(self.configuration.handshakeTimeout)) {
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
        let deadlineArming = DeadlineArming()
        let deadlineArmingOnLoop = NIOLoopBound(deadlineArming, eventLoop: channel.eventLoop)
        let arrivalsOnLoop = NIOLoopBound(ArrivalDelay(), eventLoop: channel.eventLoop)
        let standingQueueOnLoop = NIOLoopBound(
            limits.standingQueue.map { StandingQueueDetector($0) },
            eventLoop: channel.eventLoop
        )
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: limits.maxConcurrentStreams),
            HTTP2Setting(parameter: .maxFrameSize, value: limits.maxHTTP2FrameSize),
            HTTP2Setting(parameter: .maxHeaderListSize, value: limits.maxHeaderListSize),
            HTTP2Setting(parameter: .initialWindowSize, value: limits.streamWindowSize),
        ]
        // All of a connection's streams together: bounds what one caller can make the server hold.
        connection.targetWindowSize = max(limits.streamWindowSize, 8 << 20)
        // NIOHTTP2's HTTP semantic checks of every header block cost about 8 % of a unary call's
        // CPU (measured with perf). Our response headers are constants, and of the request we read
        // only :method, :path, content-type and two headers of our own, compared as opaque
        // strings and never forwarded; HPACK decoding and its size limit still apply.
        connection.headerBlockValidation = .disabled
        connection.contentLengthValidation = .disabled
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = limits.streamWindowSize
        // Cancellations and stream errors are ordinary on a busy connection: counted per window
        // (limits.maxStreamResets, limits.maxStreamErrors), never over the connection's life.
        stream.streamResetFrameRateLimit.maximumCount = limits.maxStreamResets
        stream.streamResetFrameRateLimit.windowLength = TimeAmount(limits.streamLimitWindow)
        stream.streamErrorRateLimit.maximumCount = limits.maxStreamErrors
        stream.streamErrorRateLimit.windowLength = TimeAmount(limits.streamLimitWindow)
        connection.maximumConnectionGlitches = Int.max
        // A caller's DATA still in flight for a call the server has ended (shed, rejected, past
        // its deadline) is ignored for the last this-many streams reset; for an older closed
        // stream swift-nio-http2 takes it as a connection error. Under overload the server sheds
        // hundreds of calls a second, each with its request's frames on the way.
        connection.maximumRecentlyResetStreams = RPCProtocol.serverRecentlyResetStreamsRemembered

        let router = self.router
        let admission = self.admission
        let logger = self.logger
        let sync = channel.pipeline.syncOperations
        _ = try sync.configureHTTP2Pipeline(
            mode: .server,
            connectionConfiguration: connection,
            streamConfiguration: stream
        ) { streamChannel in
            streamChannel.eventLoop.makeCompletedFuture {
                try streamChannel.pipeline.syncOperations.addHandler(
                    RPCStreamHandler(
                        router: router,
                        limits: limits,
                        admission: admission,
                        arrivals: arrivalsOnLoop.value,
                        standingQueue: standingQueueOnLoop.value,
                        logger: logger,
                        drain: drainOnLoop.value,
                        deadlineArming: deadlineArmingOnLoop.value
                    )
                )
            }
        }
        // After the HTTP/2 handler, which tells its streams a read is complete before it tells
        // the handlers after it.
        try sync.addHandler(deadlineArming)
        try sync.addHandler(drain)
        try sync.addHandler(ConnectionErrorHandler(logger: logger))
    }
}
