public import ChurnTransport
public import Logging
public import NIOCore

/// Runs an ``RPCServer`` on 127.0.0.1 with a free port for the duration of `body`, then stops it.
///
/// - Parameters:
///   - eventLoopGroup: where the server runs: by default the test's own loop under
///     ``OwnEventLoopsTrait``, else NIO's singleton. Give it a group of its own when a handler
///     blocks, so that the caller's timers still fire.
///   - configure: changes to the server configuration (the port is always 0).
///   - body: gets the port the server listens on.
public func withTestServer<Result: Sendable>(
    router: RPCRouter,
    tls: ServerTLS,
    configure: (inout RPCServerConfiguration) -> Void = { _ in },
    logger: Logger = quietLogger(),
    eventLoopGroup: any EventLoopGroup = TestEventLoops.current,
    metrics: RPCServerMetrics? = nil,
    _ body: (Int) async throws -> Result
) async throws -> Result {
    // Generous: the whole test run shares 2 cores, and a handshake may wait its turn for seconds.
    var configuration = RPCServerConfiguration(port: 0, tls: tls, handshakeTimeout: .seconds(120))
    configure(&configuration)
    configuration.port = 0
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let server = try RPCServer(
        configuration: configuration,
        router: router,
        logger: logger,
        eventLoopGroup: eventLoopGroup,
        events: RPCServer.Events(listening: { address in
            continuation.yield(address.port ?? 0)
            continuation.finish()
        }),
        metrics: metrics
    )
    return try await withListeningService(server.run, ports: ports, body)
}

/// Runs a service (`run`) until `body` is done with it, then cancels it: `body` gets the first
/// port the service reports on `ports` once it listens.
///
/// - Throws: ``TestServerError/notListening`` when the service stops before it listens, or what
///   `body` or the service throw.
public func withListeningService<Result: Sendable>(
    _ run: @escaping @Sendable () async throws -> Void,
    ports: AsyncStream<Int>,
    _ body: (Int) async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            group.cancelAll()
            throw TestServerError.notListening
        }
        do {
            let result = try await body(port)
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// The test server never reported listening.
public enum TestServerError: Error {
    case notListening
}

/// A logger that reports warnings and worse: tests stay readable.
public func quietLogger(_ label: String = "test") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}
