public import ChurnTransport
public import Logging
internal import NIOCore

/// Runs an ``RPCServer`` on 127.0.0.1 with a free port for the duration of `body`, then stops it.
///
/// - Parameters:
///   - configure: changes to the server configuration (the port is always 0).
///   - body: gets the port the server listens on.
public func withTestServer<Result: Sendable>(
    router: RPCRouter,
    tls: ServerTLS,
    configure: (inout RPCServerConfiguration) -> Void = { _ in },
    logger: Logger = quietLogger(),
    _ body: (Int) async throws -> Result
) async throws -> Result {
    var configuration = RPCServerConfiguration(port: 0, tls: tls)
    configure(&configuration)
    configuration.port = 0
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let server = try RPCServer(
        configuration: configuration,
        router: router,
        logger: logger,
        events: RPCServer.Events(listening: { address in
            continuation.yield(address.port ?? 0)
            continuation.finish()
        })
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
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
