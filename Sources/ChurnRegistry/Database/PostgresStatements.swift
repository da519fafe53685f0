internal import Logging
internal import PostgresNIO

extension PostgresConnection {
    /// Runs a statement whose rows are not wanted, and reads them to the end.
    ///
    /// A statement that returns rows reports an error raised while it runs (a lock timeout,
    /// `pg_notify`'s payload limit) after its row description, that is, only to a reader of its
    /// rows. Unread, the error passed unseen: the next statement failed with "current transaction
    /// is aborted" instead, or, when there was none, `COMMIT` ended the aborted transaction as a
    /// rollback that PostgresNIO reports as success. Every statement of a transaction whose rows
    /// are not read goes through here.
    func perform(
        _ statement: PostgresQuery,
        logger: Logger,
        file: String = #fileID,
        line: Int = #line
    ) async throws {
        let rows = try await self.query(statement, logger: logger, file: file, line: line)
        for try await _ in rows {}
    }
}

extension PostgresClient {
    /// Runs a statement on a pooled connection, reading its rows to the end (see
    /// ``PostgresNIO/PostgresConnection/perform(_:logger:file:line:)``); given up should the
    /// connection close before the statement is sent (``ConnectionLossRace``).
    func perform(
        _ statement: PostgresQuery,
        logger: Logger,
        file: String = #fileID,
        line: Int = #line
    ) async throws {
        try await self.withConnectionEndingAtClose("running a statement") {
            try await $0.perform(statement, logger: logger, file: file, line: line)
        }
    }
}
