public import ChurnTransport
internal import ChurnWire
public import Logging
internal import NIOConcurrencyHelpers
public import NIOCore
internal import NIOHPACK
internal import NIOHTTP2
public import NIOPosix
internal import NIOSSL
internal import NIOTLS
public import ServiceLifecycle

/// A bare TLS 1.3 HTTP/2 server on the same stack as ChurnGuard's (SwiftNIO, swift-nio-http2,
/// swift-nio-ssl) that answers every call with the same bytes: no frame parsing, no routing,
/// no model. It is the transport floor the scorer is compared with, and, with a delay, the
/// server the harness's own tests measure.
///
/// With a ``Configuration/healthAnswer`` it answers `Health/Check` calls with those bytes
/// instead (one comparison of the request's `:path`), so a caller that asks a scorer's health
/// before loading it, as `churnbench run --address` does, can load the floor too.
///
/// The answer is sent when the request has ended, after `delay(arrival)`; a delay that depends
/// on the arrival time makes a server that stalls once.
public struct FixedAnswerServer: Service {
    /// What the server listens on and how it answers.
    public struct Configuration: Sendable {
        /// Address to listen on. Default 127.0.0.1.
        public var host: String
        /// Port; 0 picks a free one (reported through `listening`).
        public var port: Int
        /// The server's certificate and key.
        public var tls: ServerTLS
        /// The DATA bytes of every answer (for ChurnGuard's client: an encoded answer frame).
        public var answer: ByteBuffer
        /// The DATA bytes answering `Health/Check` calls (an encoded health answer frame); nil
        /// answers them with ``answer`` like every other call. Default nil.
        public var healthAnswer: ByteBuffer?
        /// How long to hold a call that arrived at the given instant. Default: no delay.
        public var delay: @Sendable (ContinuousClock.Instant) -> Duration

        /// Makes a configuration.
        public init(
            host: String = "127.0.0.1",
            port: Int,
            tls: ServerTLS,
            answer: ByteBuffer,
            healthAnswer: ByteBuffer? = nil,
            delay: @escaping @Sendable (ContinuousClock.Instant) -> Duration = { _ in .zero }
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.answer = answer
            self.healthAnswer = healthAnswer
            self.delay = delay
        }
    }

    private let configuration: Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let listening: @Sendable (SocketAddress) -> Void

    /// Makes a server; nothing listens until ``run()``.
    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        listening: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
        self.listening = listening
    }

    /// Listens and answers until cancelled or shut down gracefully.
    ///
    /// - Throws: ``TransportError`` when the TLS files cannot be used or the port is taken.
    public func run() async throws {
        let sslContext = try self.configuration.tls.makeContext()
        let configuration = self.configuration
        let logger = self.logger
        let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
        let bootstrap = ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                connections.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
                channel.closeFuture.whenComplete { _ in
                    _ = connections.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
                }
                return channel.eventLoop.makeCompletedFuture {
                    try Self.configure(channel, sslContext: sslContext, configuration: configuration, logger: logger)
                }
            }
        let serverChannel: any Channel
        do {
            serverChannel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw TransportError(
                .bindFailed,
                "cannot listen on \(configuration.host):\(configuration.port)",
                cause: error
            )
        }
        if let address = serverChannel.localAddress { self.listening(address) }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await serverChannel.closeFuture.get()
            } onGracefulShutdown: {
                serverChannel.close(promise: nil)
            }
        } onCancel: {
            serverChannel.close(promise: nil)
        }
        for connection in connections.withLockedValue({ Array($0.values) }) {
            connection.close(promise: nil)
        }
    }

    private static func configure(
        _ channel: any Channel,
        sslContext: NIOSSLContext,
        configuration: Configuration,
        logger: Logger
    ) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(NIOSSLServerHandler(context: sslContext))
        try sync.addHandler(
            ApplicationProtocolNegotiationHandler { result, channel in
                guard case .negotiated(RPCProtocol.alpn) = result else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    var connection = NIOHTTP2Handler.ConnectionConfiguration()
                    connection.initialSettings = [
                        HTTP2Setting(parameter: .maxConcurrentStreams, value: 1_000),
                        HTTP2Setting(parameter: .initialWindowSize, value: 1 << 20),
                    ]
                    connection.targetWindowSize = 8 << 20
                    _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                        mode: .server,
                        connectionConfiguration: connection,
                        streamConfiguration: NIOHTTP2Handler.StreamConfiguration()
                    ) { stream in
                        stream.eventLoop.makeCompletedFuture {
                            try stream.pipeline.syncOperations.addHandler(
                                FixedAnswerHandler(
                                    answer: configuration.answer,
                                    healthAnswer: configuration.healthAnswer,
                                    delay: configuration.delay
                                )
                            )
                        }
                    }
                }
            }
        )
        _ = logger
    }
}

/// One stream of a ``FixedAnswerServer``: waits for the end of the request, then answers.
private final class FixedAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private static let headers: HPACKHeaders = [":status": "200", "content-type": RPCProtocol.contentType]
    private static let healthPath = HealthService.check.path
    private var answer: ByteBuffer
    private let healthAnswer: ByteBuffer?
    private let delay: @Sendable (ContinuousClock.Instant) -> Duration

    init(
        answer: ByteBuffer,
        healthAnswer: ByteBuffer?,
        delay: @escaping @Sendable (ContinuousClock.Instant) -> Duration
    ) {
        self.answer = answer
        self.healthAnswer = healthAnswer
        self.delay = delay
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let ended: Bool
        switch self.unwrapInboundIn(data) {
        case .headers(let headers):
            if let healthAnswer = self.healthAnswer, headers.headers.first(name: ":path") == Self.healthPath {
                self.answer = healthAnswer
            }
            ended = headers.endStream
        case .data(let data): ended = data.endStream
        default: ended = false
        }
        guard ended else { return }
        let wait = self.delay(.now)
        if wait <= .zero {
            self.respond(context: context)
        } else {
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: TimeAmount(wait)) {
                let (handler, context) = loopBound.value
                handler.respond(context: context)
            }
        }
    }

    private func respond(context: ChannelHandlerContext) {
        context.write(self.wrapOutboundOut(.headers(.init(headers: Self.headers))), promise: nil)
        let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(self.answer), endStream: true)
        context.writeAndFlush(self.wrapOutboundOut(.data(data)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
