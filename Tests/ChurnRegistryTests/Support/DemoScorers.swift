import ChurnRegistry
import ChurnTesting
import Foundation
import Testing

/// For tests of scorers as processes: a fresh database holding 20 demo companies' histories
/// (seed 4, 14 months), development certificates, and `churnguard scorer` processes serving them.
struct DemoScorers {
    let database: DatabaseURL
    let folder: URL
    let certs: String
    /// The demo histories as CSV (`churnguard demo-data --history`).
    let history: String

    var url: String { self.database.urlString }

    /// Migrates a fresh database, stores the demo histories and makes certificates, in a folder
    /// named after `name`.
    static func make(_ name: String) async throws -> DemoScorers {
        let database = try await TestRegistry.freshDatabase()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let made = DemoScorers(
            database: database,
            folder: folder,
            certs: folder.appendingPathComponent("certs").path,
            history: folder.appendingPathComponent("history.csv").path
        )
        for arguments in [
            ["db", "migrate", "--database-url", made.url],
            [
                "demo-data", "--companies", "20", "--months", "14", "--seed", "4", "--history", made.history,
                "--to-database", "--database-url", made.url,
            ],
            ["certs", "dev", "--out", made.certs],
        ] {
            let outcome = try await RegistryCommandTests.run(arguments)
            try #require(outcome.status == 0, "churnguard \(arguments[0]) failed: \(outcome.output)")
        }
        return made
    }

    /// Deletes the folder.
    func remove() { try? FileManager.default.removeItem(at: self.folder) }

    /// Starts scorer `number` on the database's histories (a cache folder of its own) and waits
    /// until it listens; the caller kills it.
    func startScorer(_ number: Int) async throws -> (process: Process, port: Int) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let portFile = self.folder.appendingPathComponent("port-\(number)").path
        let scorer = Process()
        scorer.executableURL = URL(fileURLWithPath: try BuiltExecutable("churnguard", packageRoot: root).path)
        scorer.arguments = [
            "scorer", "--tls-dir", self.certs, "--port", "0", "--port-file", portFile, "--database-url", self.url,
            "--customers-from-database", "--scoring-day", "latest-activity", "--cache-dir",
            self.folder.appendingPathComponent("cache-\(number)").path,
        ]
        scorer.standardOutput = FileHandle.nullDevice
        scorer.standardError = FileHandle.nullDevice
        try scorer.run()
        let port = try await waitForPortFile(portFile, of: scorer, limit: .seconds(90))
        if port == nil { kill(scorer.processIdentifier, SIGKILL) }
        return (scorer, try #require(port, "scorer \(number) did not listen within 90 s"))
    }
}
