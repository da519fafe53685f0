internal import ChurnTransport
public import Logging
public import NIOCore
internal import NIOHTTP1
public import NIOPosix
public import Prometheus
public import ServiceLifecycle

/// Serves a Prometheus registry as text at `GET /metrics` over plain HTTP/1.1, for the
/// scraper. It listens on 127.0.0.1 unless told otherwise: metrics carry no customer data, but
/// they leave the TLS perimeter, so exposing them further is a deliberate choice.
public struct MetricsEndpoint: Service {
    private let registry: PrometheusCollectorRegistry
    private let host: String
    private let port: Int
    private let group: any EventLoopGroup
    private let logger: Logger
    private let listening: @Sendable (Int) -> Void

    /// Makes an endpoint; nothing listens until ``run()``.
    ///
    /// - Parameter port: 0 picks a free one, reported through `listening`.
    public init(
        registry: PrometheusCollectorRegistry,
        host: String = "127.0.0.1",
        port: Int,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        listening: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.registry = registry
        self.host = host
        self.port = port
        self.group = eventLoopGroup
        self.logger = logger
        self.listening = listening
    }

    /// Serves until cancelled or shut down gracefully.
    ///
    /// - Throws: ``TransportError/Code/bindFailed`` when the address cannot be listened on.
    public func run() async throws {
        let registry = self.registry
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: self.group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(MetricsHandler(registry: registry))
                    }
                }
                .bind(host: self.host, port: self.port).get()
        } catch {
            throw TransportError(.bindFailed, "cannot serve metrics on \(self.host):\(self.port)", cause: error)
        }
        let port = channel.localAddress?.port ?? self.port
        self.logger.info("metrics at http://\(self.host):\(port)/metrics")
        self.listening(port)
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await channel.closeFuture.get()
            } onGracefulShutdown: {
                channel.close(promise: nil)
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}

/// Answers `GET /metrics` with the registry's text; anything else with 404 or 405.
private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private var head: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head = self.head else { return }
            let status: HTTPResponseStatus
            var body = context.channel.allocator.buffer(capacity: 0)
            if head.uri != "/metrics" && !head.uri.hasPrefix("/metrics?") {
                status = .notFound
                body.writeString("not found: metrics are at /metrics\n")
            } else if head.method != .GET {
                status = .methodNotAllowed
                body.writeString("use GET\n")
            } else {
                status = .ok
                body.writeBytes(self.registry.emitToBuffer())
            }
            var response = HTTPResponseHead(version: head.version, status: status)
            response.headers.add(name: "content-type", value: "text/plain; version=0.0.4; charset=utf-8")
            response.headers.add(name: "content-length", value: String(body.readableBytes))
            if !head.isKeepAlive { response.headers.add(name: "connection", value: "close") }
            let keepAlive = head.isKeepAlive
            context.write(self.wrapOutboundOut(.head(response)), promise: nil)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
                if !keepAlive { channel.close(promise: nil) }
            }
            self.head = nil
        }
    }
}
