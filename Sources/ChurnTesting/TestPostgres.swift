import Foundation

/// A PostgreSQL server for tests: the one `CHURNGUARD_TEST_DATABASE_URL` names (`ops/test` starts
/// one with `ops/postgres` and sets it), or else one this test process starts with
/// `ops/postgres start … --ephemeral` in a temporary folder on first use and stops when it exits.
/// Tests make a database of their own on it, so they run in parallel without sharing rows.
public enum TestPostgres {
    /// The variable naming a server that is already running.
    public static let environmentVariable = "CHURNGUARD_TEST_DATABASE_URL"

    private static let state = Locked()

    /// The server's URL (`postgres://user:password@127.0.0.1:port/database`).
    public static func serverURL() async throws -> String {
        if let url = ProcessInfo.processInfo.environment[Self.environmentVariable], !url.isEmpty { return url }
        return try await OwnThread.run { try Self.state.startOnce() }
    }

    /// Starts a server of a test's own in `directory` (for tests that stop and restart it); its URL.
    public static func startDedicated(directory: String) async throws -> String {
        try await OwnThread.run { try Self.script(["start", directory, "--ephemeral"]) }
    }

    /// Stops the server of `directory` (fast shutdown: sessions are cut, as in a crash of the link).
    public static func stopDedicated(directory: String) async throws {
        _ = try await OwnThread.run { try Self.script(["stop", directory]) }
    }

    /// Stops a server started by ``serverURL()`` (run at exit).
    static func stopStarted() {
        guard let directory = Self.state.startedDirectory else { return }
        _ = try? Self.script(["stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `ops/postgres` with `arguments`; its standard output, trimmed.
    static func script(_ arguments: [String]) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // Output goes to files, not pipes: the server that the script starts inherits the
        // descriptors it was given, and a pipe held open by it would never reach end of file.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ops-postgres-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: scratch.path + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: scratch.path + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: scratch.path + ".out")
            try? FileManager.default.removeItem(atPath: scratch.path + ".err")
        }
        let process = Process()
        process.executableURL = root.appendingPathComponent("ops/postgres")
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: scratch.path + ".out")
        process.standardError = FileHandle(forWritingAtPath: scratch.path + ".err")
        try process.run()
        process.waitUntilExit()
        let text = FileManager.default.contents(atPath: scratch.path + ".out") ?? Data()
        let problems = FileManager.default.contents(atPath: scratch.path + ".err") ?? Data()
        guard process.terminationStatus == 0 else {
            throw TestPostgresError(
                description:
                    "ops/postgres \(arguments.joined(separator: " ")) failed: \(String(decoding: problems, as: UTF8.self))"
            )
        }
        return String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The server a test process started, once.
    private final class Locked: @unchecked Sendable {
        private let lock = NSLock()
        private var url: String?
        private(set) var startedDirectory: String?

        func startOnce() throws -> String {
            self.lock.lock()
            defer { self.lock.unlock() }
            if let url = self.url { return url }
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("churnguard-test-postgres-\(ProcessInfo.processInfo.processIdentifier)").path
            let url = try TestPostgres.script(["start", directory, "--ephemeral"])
            self.url = url
            self.startedDirectory = directory
            atexit { TestPostgres.stopStarted() }
            return url
        }
    }
}

/// `ops/postgres` could not start or stop a server.
public struct TestPostgresError: Error, CustomStringConvertible {
    public var description: String
}
