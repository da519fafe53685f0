import ArgumentParser
import ChurnRegistry
import Foundation

/// `churnguard db`: the registry's database.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Set up the registry's PostgreSQL database.",
        subcommands: [Migrate.self, Start.self, Stop.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update the registry's tables (idempotent; each migration in its own transaction).",
            discussion: "Example: CHURNGUARD_DATABASE_URL=postgres://… churnguard db migrate"
        )

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let url = try self.database.url()
            let applied = try await RegistrySession.with(url, requireMigrated: false) { registry in
                try await Migrator(client: registry.client, logger: RegistrySession.logger).migrate()
            }
            if applied.isEmpty {
                print("\(url): up to date (migration \(Migration.all.map(\.version).max() ?? 0))")
            } else {
                print("\(url): applied migration \(applied.map(String.init).joined(separator: ", "))")
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a private PostgreSQL for ChurnGuard (ops/postgres) and print its URL.",
            discussion: """
                Data lives in --data-dir (default .data/postgres under the current folder); the server \
                listens on a free port of 127.0.0.1 and runs as the postgres user when started by root. \
                Starting a running server prints its URL again.

                Example: export CHURNGUARD_DATABASE_URL=$(churnguard db start)
                """
        )

        @Option(help: "The server's folder.")
        var dataDir = ".data/postgres"

        func run() throws {
            print(try PrivatePostgres.start(directory: self.dataDir, ephemeral: false))
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the private PostgreSQL of --data-dir.")

        @Option(help: "The server's folder.")
        var dataDir = ".data/postgres"

        func run() throws {
            try PrivatePostgres.stop(directory: self.dataDir)
        }
    }
}
