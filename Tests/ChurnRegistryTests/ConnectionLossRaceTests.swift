import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import Testing

@testable import ChurnRegistry

/// A statement sent on a connection that has closed: PostgresNIO never answers it, and
/// ``ConnectionLossRace`` ends the work all the same.
@Suite("Work on a connection that closes under it")
struct ConnectionLossRaceTests {
    /// Runs `operation` in a task of its own and waits for it at most `limit`: the outcome, or
    /// nil when it had not finished (the task is left parked, as the code under test would be).
    static func outcome(
        within limit: Duration,
        _ operation: @escaping @Sendable () async throws -> Void
    ) async throws -> Result<Void, any Error>? {
        let box = NIOLockedValueBox<Result<Void, any Error>?>(nil)
        let task = Task {
            let result: Result<Void, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            box.withLockedValue { $0 = result }
        }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let result = box.withLockedValue({ $0 }) { return result }
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        return box.withLockedValue { $0 }
    }

    /// A connection of its own (not from a pool) on a fresh database, and a client for the
    /// database's administration.
    static func withConnection(
        _ body: (PostgresConnection, ModelRegistry) async throws -> Void
    ) async throws {
        do {
            try await TestRegistry.with { registry, url in
                // The URL's 5 s to connect ran out once while the suite's other tests started
                // together on 2 cores; what is tested here starts after the connection.
                var configuration = try DatabaseProbe.configuration(url, within: nil)
                configuration.options.connectTimeout = .seconds(60)
                let connection = try await PostgresConnection.connect(
                    configuration: configuration,
                    id: 1,
                    logger: TestRegistry.logger
                )
                try await body(connection, registry)
                try? await connection.close()
            }
        } catch {
            // PSQLError describes itself generically; the test must say what failed.
            Issue.record("the test's database work failed: \(String(reflecting: error))")
        }
    }

    /// Ends the server side of every other connection to the test's database.
    static func terminateOthers(_ registry: ModelRegistry) async throws {
        try await registry.client.query(
            """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
            """,
            logger: TestRegistry.logger
        )
    }

    @Test("PostgresNIO 1.33 never answers a statement sent after the server ended the connection")
    func theHazard() async throws {
        try await Self.withConnection { connection, registry in
            try await connection.query("SELECT 1", logger: TestRegistry.logger)
            try await Self.terminateOthers(registry)
            try await connection.closeFuture.get()
            let outcome = try await Self.outcome(within: .seconds(2)) {
                try await connection.query("SELECT 2", logger: TestRegistry.logger)
            }
            // Should a PostgresNIO upgrade answer it (a failure), ConnectionLossRace may go.
            #expect(outcome == nil, "the statement was answered: \(String(describing: outcome))")
        }
    }

    @Test("the race ends work whose next statement is sent after the server ended the connection")
    func endsStuckWork() async throws {
        try await Self.withConnection { connection, registry in
            let outcome = try await Self.outcome(within: .seconds(10)) {
                try await ConnectionLossRace.run(on: connection, "the test's session") { connection in
                    try await connection.query("SELECT 1", logger: TestRegistry.logger)
                    try await Self.terminateOthers(registry)
                    try await connection.closeFuture.get()
                    // Never answered (see theHazard): only the race ends the work.
                    try await connection.query("SELECT 2", logger: TestRegistry.logger)
                }
            }
            switch outcome {
            case .failure(let error as RegistryError):
                #expect(error.code == .unavailable)
                #expect(error.message.contains("the database connection closed"))
            default:
                Issue.record("expected the race to fail with unavailable, got \(String(describing: outcome))")
            }
        }
    }

    @Test("a transaction whose connection the server ends fails, where withTransaction alone waits for ever")
    func transactionEndingAtClose() async throws {
        try await TestRegistry.with { registry, url in
            let client = PostgresClient(configuration: url.configuration, backgroundLogger: TestRegistry.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                // PostgresNIO's own ROLLBACK after the failed statement is sent on the closed
                // connection: unanswered in most attempts (4 of 5 when this was written).
                for attempt in 1...5 {
                    // Where an attempt that does not end stopped: attempt 2 of a CI run on
                    // 7125ba7 had not ended within 10 s, where the others took under a second.
                    let step = NIOLockedValueBox("leasing a connection")
                    let outcome = try await Self.outcome(within: .seconds(10)) {
                        try await client.withTransactionEndingAtClose(
                            "the test's transaction",
                            logger: TestRegistry.logger
                        ) {
                            connection in
                            step.withLockedValue { $0 = "SELECT 1" }
                            try await connection.query("SELECT 1", logger: TestRegistry.logger)
                            step.withLockedValue { $0 = "ending the other connections" }
                            try await Self.terminateOthers(registry)
                            step.withLockedValue { $0 = "SELECT pg_sleep(0.2)" }
                            try await connection.query("SELECT pg_sleep(0.2)", logger: TestRegistry.logger)
                        }
                    }
                    switch outcome {
                    case .failure: break
                    case .success:
                        Issue.record("attempt \(attempt): the transaction committed on a connection the server ended")
                    case nil:
                        Issue.record(
                            "attempt \(attempt): the transaction had not ended within 10 s, at \(step.withLockedValue { $0 })"
                        )
                    }
                }
                group.cancelAll()
            }
        }
    }

    @Test("the race hands back what the work returns or throws while the connection is open")
    func passesThrough() async throws {
        try await Self.withConnection { connection, _ in
            let value = try await ConnectionLossRace.run(on: connection, "the test's session") { connection in
                var read = 0
                let rows = try await connection.query("SELECT 41 + 1", logger: TestRegistry.logger)
                for try await number in rows.decode(Int.self) { read = number }
                return read
            }
            #expect(value == 42)
            await #expect(throws: PSQLError.self) {
                try await ConnectionLossRace.run(on: connection, "the test's session") { connection in
                    try await connection.query("SELECT * FROM no_such_table", logger: TestRegistry.logger)
                }
            }
        }
    }
}
