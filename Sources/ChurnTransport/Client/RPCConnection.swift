public import ChurnWire
public import Logging
internal import NIOConcurrencyHelpers
public import NIOCore
internal import NIOHPACK
internal import NIOHTTP2
public import NIOPosix
internal import NIOSSL

/// One TLS 1.3 HTTP/2 connection to a ChurnGuard server; every call is a stream of its own, so
/// any number of calls share it (up to the server's stream limit; more wait their turn).
///
/// ```swift
/// let connection = try await RPCConnection.connect(to: .init(host: "127.0.0.1", port: 7443), tls: tls, logger: logger).get()
/// let answer = try await connection.unary(ScoringService.score, request, timeout: .milliseconds(50))
/// connection.close()
/// ```
public final class RPCConnection: Sendable {
    /// Where a connection goes.
    public struct Target: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        /// Makes a target.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `host:port` (IPv6 as `[::1]:7443`).
        ///
        /// - Throws: ``TransportError/Code/invalidAddress``.
        public init(parsing text: String) throws(TransportError) {
            let hostPart: Substring
            let portPart: Substring
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                hostPart = text[text.index(after: text.startIndex)..<close]
                portPart = text[text.index(after: close)...].dropFirst()
            } else if let colon = text.lastIndex(of: ":") {
                hostPart = text[..<colon]
                portPart = text[text.index(after: colon)...]
            } else {
                throw TransportError(.invalidAddress, "'\(text)' is not host:port")
            }
            guard !hostPart.isEmpty, let port = Int(portPart), (1...65535).contains(port) else {
                throw TransportError(.invalidAddress, "'\(text)' is not host:port with a port from 1 to 65535")
            }
            self.host = String(hostPart)
            self.port = port
        }

        public var description: String {
            self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
        }
    }

    /// The connection's target.
    public let target: Target
    let channel: any Channel
    let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    let limits: WireLimits
    let logger: Logger

    init(
        target: Target,
        channel: any Channel,
        multiplexer: NIOHTTP2Handler.StreamMultiplexer,
        limits: WireLimits,
        logger: Logger
    ) {
        self.target = target
        self.channel = channel
        self.multiplexer = multiplexer
        self.limits = limits
        self.logger = logger
    }

    /// Whether the connection is open (it may still be draining after the server's GOAWAY).
    public var isActive: Bool { self.channel.isActive }

    /// The event loop the connection lives on: calls started there (``startUnary(_:_:timeout:)``)
    /// make no thread hop.
    public var eventLoop: any EventLoop { self.channel.eventLoop }

    /// A future that completes when the connection has closed.
    public var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    /// Closes the connection; calls in flight fail with `unavailable`.
    public func close() {
        self.channel.close(promise: nil)
    }

    /// Connects, completes the TLS handshake and settles on HTTP/2.
    ///
    /// - Returns: a future that fails with ``RPCError`` `unavailable` when the server cannot be
    ///   reached, its certificate is not trusted, or it does not speak `h2` (the cause says which).
    public static func connect(
        to target: Target,
        tls: ClientTLS,
        limits: WireLimits = .defaults,
        connectTimeout: Duration = .seconds(5),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) -> EventLoopFuture<RPCConnection> {
        let eventLoop = eventLoopGroup.next()
        let sslContext: NIOSSLContext
        do {
            sslContext = try tls.makeContext()
        } catch {
            return eventLoop.makeFailedFuture(
                RPCError(.unavailable, "cannot set up TLS for \(target): \(error.message)", cause: error)
            )
        }
        let serverName = tls.serverName ?? (Self.isIPAddress(target.host) ? nil : target.host)
        let ready = eventLoop.makePromise(of: NIOHTTP2Handler.StreamMultiplexer.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try ClientConnectionPipeline.configure(
                        channel,
                        sslContext: sslContext,
                        serverName: serverName,
                        ready: ready
                    )
                }
            }
        return bootstrap.connect(host: target.host, port: target.port)
            .flatMapError { error in
                ready.fail(error)
                return eventLoop.makeFailedFuture(error)
            }
            .flatMap { channel in
                ready.futureResult.map { multiplexer in
                    RPCConnection(
                        target: target,
                        channel: channel,
                        multiplexer: multiplexer,
                        limits: limits,
                        logger: logger
                    )
                }
            }
            .flatMapErrorThrowing { error in
                throw RPCError(.unavailable, "cannot connect to \(target): \(Self.describe(error))", cause: error)
            }
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOSSLError: "TLS failed: \(error)"
        case let error as BoringSSLError: "TLS failed: \(error)"
        case let error as RPCError: error.message
        default: "\(error)"
        }
    }
}
