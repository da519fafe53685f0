public import Logging
public import PostgresNIO

/// Applies ``Migration/all`` to a database: idempotent (applied versions are skipped), each
/// migration in a transaction of its own under an advisory lock, so two processes migrating at
/// once apply each step once.
///
/// ```swift
/// let applied = try await Migrator(client: client, logger: logger).migrate()
/// ```
public struct Migrator: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    public let migrations: [Migration]

    public init(client: PostgresClient, logger: Logger, migrations: [Migration] = Migration.all) {
        self.client = client
        self.logger = logger
        self.migrations = migrations
    }

    /// The advisory lock key every migrator takes ("churnmig" in ASCII).
    static let lockKey: Int64 = 0x6368_7572_6e6d_6967

    /// Applies what is missing; returns the versions applied now (empty when up to date).
    ///
    /// - Throws: ``RegistryError/Code/unavailable`` when the database cannot be reached or a
    ///   statement fails (the failed migration is rolled back whole).
    @discardableResult
    public func migrate() async throws(RegistryError) -> [Int] {
        var applied: [Int] = []
        do {
            try await self.client.perform(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                logger: self.logger
            )
            for migration in self.migrations.sorted(by: { $0.version < $1.version }) {
                let ran = try await self.client.withTransactionEndingAtClose(
                    "applying migration \(migration.version)",
                    logger: self.logger
                ) { connection in
                    try await connection.perform("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: self.logger)
                    let rows = try await connection.query(
                        "SELECT 1 FROM schema_migrations WHERE version = \(migration.version)",
                        logger: self.logger
                    )
                    var done = false
                    for try await _ in rows { done = true }
                    if done { return false }
                    for statement in migration.statements {
                        try await connection.perform(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                    }
                    try await connection.perform(
                        "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: self.logger
                    )
                    return true
                }
                if ran {
                    self.logger.info(
                        "applied migration",
                        metadata: ["version": "\(migration.version)", "name": "\(migration.name)"]
                    )
                    applied.append(migration.version)
                }
            }
        } catch {
            throw RegistryError.wrapping(error, "migrating the registry's schema")
        }
        return applied
    }

    /// Whether the registry's schema has been installed at all (its migrations table exists).
    public func isInstalled() async throws(RegistryError) -> Bool {
        do {
            let rows = try await self.client.query(
                "SELECT to_regclass('schema_migrations') IS NOT NULL",
                logger: self.logger
            )
            for try await exists in rows.decode(Bool.self) { return exists }
            return false
        } catch {
            throw RegistryError.wrapping(error, "looking for schema_migrations")
        }
    }

    /// The versions recorded as applied, ascending.
    public func appliedVersions() async throws(RegistryError) -> [Int] {
        do {
            let rows = try await self.client.query(
                "SELECT version FROM schema_migrations ORDER BY version",
                logger: self.logger
            )
            var versions: [Int] = []
            for try await version in rows.decode(Int.self) { versions.append(version) }
            return versions
        } catch {
            throw RegistryError.wrapping(error, "reading schema_migrations")
        }
    }
}
