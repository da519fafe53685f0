public import Foundation

/// One of the package's executables, as built next to the test binary, run the way a person
/// runs it: arguments in, exit status and combined output back.
public struct BuiltExecutable: Sendable {
    /// What a run returned.
    public struct Outcome: Sendable {
        public var status: Int32
        /// Standard output and standard error, interleaved.
        public var output: String
    }

    /// The executable's path.
    public let path: String

    /// Finds the built executable `name` beside the running test binary (or in `.build/debug`
    /// of `packageRoot`).
    ///
    /// - Throws: ``NotBuilt`` naming where it looked.
    public init(_ name: String, packageRoot: URL) throws {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            beside.appendingPathComponent(name).path,
            beside.deletingLastPathComponent().appendingPathComponent(name).path,
            packageRoot.appendingPathComponent(".build/debug/\(name)").path,
        ]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotBuilt(name: name, searched: candidates)
        }
        self.path = path
    }

    /// A program installed on the machine, such as `nghttp` (Debian's nghttp2-client, which
    /// `ops/setup` installs).
    ///
    /// - Throws: ``NotBuilt`` naming where it looked.
    public init(installed name: String) throws {
        let candidates = ["/usr/bin/\(name)", "/usr/local/bin/\(name)", "/bin/\(name)"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotBuilt(name: name, searched: candidates)
        }
        self.path = path
    }

    /// Runs the executable to completion, blocking the calling thread: only ever on a thread of
    /// its own (see ``run(_:in:)``).
    private func runBlocking(_ arguments: [String], in directory: URL?) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Runs the executable to completion on a thread of its own, so that waiting for it does not
    /// hold one of Swift concurrency's few threads (on 2 cores, two blocked threads stall every
    /// other task of the test run, and its deadlines fire). There is no blocking variant: a test
    /// that waited for a process on its own thread stalled the whole parallel run for seconds.
    public func run(_ arguments: [String], in directory: URL? = nil) async throws -> Outcome {
        try await OwnThread.run { try self.runBlocking(arguments, in: directory) }
    }

    /// The executable was not found: the tests need `swift build --build-tests` first.
    public struct NotBuilt: Error, CustomStringConvertible {
        public var name: String
        public var searched: [String]
        public var description: String {
            "\(self.name) is not built (looked in \(self.searched.joined(separator: ", ")))"
        }
    }
}
