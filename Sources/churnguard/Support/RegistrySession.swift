import ArgumentParser
import ChurnRegistry
import Foundation
import Logging
import PostgresNIO

/// Options naming the registry's database.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "postgres://user:password@host:port/database (default: $CHURNGUARD_DATABASE_URL)."
    )
    var databaseURL: String?

    /// The URL from the option or the environment.
    func url() throws -> DatabaseURL {
        guard let text = self.databaseURL ?? ProcessInfo.processInfo.environment["CHURNGUARD_DATABASE_URL"],
            !text.isEmpty
        else {
            throw ValidationError(
                "no database: pass --database-url or set CHURNGUARD_DATABASE_URL (`churnguard db start` starts a private PostgreSQL and prints its URL)"
            )
        }
        do {
            return try DatabaseURL(text)
        } catch {
            throw ValidationError("the database URL: \(error.message)")
        }
    }
}

/// A connected registry for the length of one command.
enum RegistrySession {
    static var logger: Logger {
        var logger = Logger(label: "churnguard.registry")
        // postgres-nio warns when a query is queued before its client's run() task has started,
        // which a command's first query always races; errors still show.
        logger.logLevel = .error
        return logger
    }

    /// Runs `body` with a client to `url`, checking first that the database takes connections
    /// (one connection, so a refusal is reported at once and with its reason, not after the
    /// pool's minute of retries; a server that does not answer is left to the pool) and that the
    /// schema is migrated (unless `requireMigrated` is false).
    static func with<T: Sendable>(
        _ url: DatabaseURL,
        requireMigrated: Bool = true,
        _ body: @Sendable (ModelRegistry) async throws -> T
    ) async throws -> T {
        do {
            try await DatabaseProbe.check(url, logger: Self.logger)
        } catch {
            throw CommandFailure(error.message)
        }
        let client = PostgresClient(configuration: url.configuration, backgroundLogger: Self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let registry = ModelRegistry(client: client, logger: Self.logger)
            if requireMigrated {
                let migrator = Migrator(client: client, logger: Self.logger)
                guard try await migrator.isInstalled() else {
                    throw CommandFailure("the database at \(url) has no registry yet: run `churnguard db migrate`")
                }
                let applied = try await migrator.appliedVersions()
                let missing = Set(Migration.all.map(\.version)).subtracting(applied)
                guard missing.isEmpty else {
                    throw CommandFailure(
                        "the database at \(url) misses migration(s) \(missing.sorted().map(String.init).joined(separator: ", ")): run `churnguard db migrate`"
                    )
                }
            }
            return try await body(registry)
        }
    }

    /// Who is acting, for the audit log: --actor, else $USER, else the numeric user id.
    static func actor(_ option: String?) -> String {
        option ?? ProcessInfo.processInfo.environment["USER"] ?? "uid \(getuid())"
    }
}
