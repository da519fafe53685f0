import Logging
import PostgresNIO

/// A PostgreSQL client started for one piece of work and shut down after it.
///
/// The watcher's long-lived pool reconnects after an outage on a backoff of its own that grows
/// with the outage (to a minute between attempts, PostgresNIO's rule, not configurable). A client
/// made for one read connects at once, so it sees the database as soon as it is back.
enum ShortLivedClient {
    /// Runs `body` with a client of its own and waits for it at most `limit`; then the client is
    /// shut down.
    ///
    /// The wait is not structured on purpose: PostgresNIO 1.33 can leave a query cancelled while
    /// the database goes away waiting for ever (about one client in a hundred while the server
    /// stops and starts; `ShortLivedClientTests`). Awaiting it would stall the caller with it, so
    /// the body is left behind at the deadline (a parked task and a shut-down client, no
    /// connection), and its result, should it ever come, is dropped.
    ///
    /// - Throws: ``RegistryError/Code/unavailable`` at the deadline; what `body` throws.
    static func run<T: Sendable>(
        _ configuration: PostgresClient.Configuration,
        within limit: Duration,
        logger: Logger,
        _ body: @escaping @Sendable (PostgresClient) async throws(RegistryError) -> T
    ) async throws(RegistryError) -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        return try await DeadlineRace.run(
            within: limit,
            "reading the registry",
            late: { _ in },
            operation: { () throws(RegistryError) in try await body(client) }
        )
    }
}
