import ArgumentParser
import Foundation

/// A private PostgreSQL started through the project's `ops/postgres` script, found beside the
/// executable's package (`ops/postgres` under the current folder or above the binary).
enum PrivatePostgres {
    /// Starts (or finds running) the server of `directory`; its URL.
    static func start(directory: String, ephemeral: Bool) throws -> String {
        try Self.run(["start", Self.absolute(directory)] + (ephemeral ? ["--ephemeral"] : []))
    }

    static func stop(directory: String) throws {
        _ = try Self.run(["stop", Self.absolute(directory)])
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The script: ./ops/postgres, else ops/postgres of the package the binary was built in.
    static func script() throws -> String {
        var candidates = [FileManager.default.currentDirectoryPath + "/ops/postgres"]
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("ops/postgres").path)
            folder = folder.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ValidationError(
                "ops/postgres not found (run from the ChurnGuard checkout, or set CHURNGUARD_DATABASE_URL to a server of your own)"
            )
        }
        return found
    }

    /// Runs the script; its standard output. Output goes through files: the server inherits no pipe.
    static func run(_ arguments: [String]) throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "churnguard-pg-\(UUID().uuidString)"
        )
        _ = FileManager.default.createFile(atPath: scratch.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.script())
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: scratch.path)
        process.standardError = FileHandle.standardError
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError(
                "ops/postgres \(arguments.first ?? "") failed (exit \(process.terminationStatus)); see its message above"
            )
        }
        let output = FileManager.default.contents(atPath: scratch.path) ?? Data()
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
