internal import CoreMetrics
public import Logging
public import NIOCore
internal import NIOHTTP2
public import NIOPosix
internal import NIOSSL
public import ServiceLifecycle

/// A TLS 1.3 HTTP/2 server for the wire RPCs in an ``RPCRouter``: every call is served inline on
/// its connection's event loop by a ``RPCStreamHandler``.
///
/// Graceful shutdown stops accepting connections, sends every open connection GOAWAY, lets the
/// calls in flight finish (up to ``RPCServerConfiguration/shutdownGracePeriod``), and returns
/// from ``run()`` when the last connection has closed.
///
/// ```swift
/// var router = RPCRouter()
/// router.register(HealthService.check) { _, _ throws(RPCError) in HealthResponse(state: .serving) }
/// let server = try RPCServer(configuration: configuration, router: router, logger: logger)
/// let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public struct RPCServer: Service {
    /// Called as the server's life moves on.
    public struct Events: Sendable {
        /// The server is listening, at this address (with the port chosen when 0 was asked for).
        public var listening: @Sendable (SocketAddress) -> Void
        /// Graceful shutdown began: no new connections; calls in flight are finishing.
        public var draining: @Sendable () -> Void

        /// Makes events; both default to doing nothing.
        public init(
            listening: @escaping @Sendable (SocketAddress) -> Void = { _ in },
            draining: @escaping @Sendable () -> Void = {}
        ) {
            self.listening = listening
            self.draining = draining
        }
    }

    private let configuration: RPCServerConfiguration
    private let router: RPCRouter
    private let logger: Logger
    private let group: any EventLoopGroup
    private let events: Events
    private let sslContext: NIOSSLContext
    private let metrics: RPCServerMetrics

    /// Makes a server; nothing listens until ``run()``.
    ///
    /// - Parameters:
    ///   - eventLoopGroup: where connections are served; default NIO's shared group, one thread
    ///     per core.
    ///   - metrics: where calls shed for overload are counted; default the process's metrics
    ///     system.
    /// - Throws: ``TransportError`` when the TLS files cannot be used.
    public init(
        configuration: RPCServerConfiguration,
        router: RPCRouter,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        events: Events = Events(),
        metrics: RPCServerMetrics? = nil
    ) throws(TransportError) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.group = eventLoopGroup
        self.events = events
        self.metrics = metrics ?? RPCServerMetrics()
        self.sslContext = try configuration.tls.makeContext()
    }

    /// Listens and serves until graceful shutdown or cancellation.
    ///
    /// - Throws: ``TransportError/Code/bindFailed`` when the address cannot be listened on.
    public func run() async throws {
        let tracker = ConnectionTracker()
        let callsShed = self.metrics.callsShed
        let pipeline = ServerConnectionPipeline(
            sslContext: self.sslContext,
            router: self.router,
            configuration: self.configuration,
            admission: CallAdmission(
                callLimit: self.configuration.limits.maxCallsInProgress,
                byteLimit: self.configuration.limits.maxBufferedRequestBytes
            ) { reason in callsShed[reason]?.increment() },
            logger: self.logger
        )
        let bootstrap = ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    tracker.add(channel)
                    try pipeline.configure(channel)
                }
            }
        let serverChannel: any Channel
        do {
            serverChannel = try await bootstrap.bind(host: self.configuration.host, port: self.configuration.port).get()
        } catch {
            throw TransportError(
                .bindFailed,
                "cannot listen on \(self.configuration.host):\(self.configuration.port)",
                cause: error
            )
        }
        if let address = serverChannel.localAddress {
            self.logger.info("listening", metadata: ["address": "\(address)"])
            self.events.listening(address)
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await serverChannel.closeFuture.get()
            } onGracefulShutdown: {
                self.logger.info("draining", metadata: ["connections": "\(tracker.count)"])
                self.events.draining()
                serverChannel.close(promise: nil)
            }
        } onCancel: {
            serverChannel.close(promise: nil)
            tracker.closeAll()
        }
        // Each connection sends GOAWAY, finishes its calls and closes; its management handler
        // closes it by force when the grace period runs out.
        for connection in tracker.quiesceAll() {
            try? await connection.closeFuture.get()
        }
        self.logger.info("stopped")
    }
}
