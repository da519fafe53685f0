internal import Logging
internal import PostgresNIO

extension PostgresClient {
    /// `withConnection`, given up once the connection has closed (``ConnectionLossRace``): for
    /// work of more than one statement, whose next statement, sent after the server went away,
    /// PostgresNIO 1.33 would never answer.
    ///
    /// - Throws: ``RegistryError/Code/unavailable`` when the connection closes first; what `body`
    ///   throws.
    func withConnectionEndingAtClose<T: Sendable>(
        _ what: String,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await self.withConnection { connection in
            try await ConnectionLossRace.run(on: connection, what, body)
        }
    }

    /// `withTransaction`, given up once the connection has closed: a statement that fails
    /// because the server went away is followed by `withTransaction`'s `ROLLBACK`, which
    /// PostgresNIO 1.33 would never answer (the transaction ends with the connection anyway).
    ///
    /// - Throws: ``RegistryError/Code/unavailable`` when the connection closes first; what
    ///   `withTransaction` throws (`PostgresTransactionError`, see
    ///   ``RegistryError/wrapping(_:_:)``).
    func withTransactionEndingAtClose<T: Sendable>(
        _ what: String,
        logger: Logger,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await self.withConnectionEndingAtClose(what) { connection in
            try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }
}
