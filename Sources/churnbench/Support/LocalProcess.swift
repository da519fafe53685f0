import ChurnLoad
import Foundation

/// A child process the harness started (a scorer, the floor server): its output goes to a log
/// file, it reports its port through a file, and it is stopped with SIGTERM (then SIGKILL).
final class LocalProcess: @unchecked Sendable {
    let name: String
    let process: Process
    let logPath: String
    let port: Int

    /// Starts `executable` with `arguments`, which must include `--port-file PORT_FILE` where
    /// the child writes its port; waits up to `timeout` for it.
    ///
    /// - Throws: ``LoadError`` naming the log when it does not start or exits early.
    init(
        name: String,
        executable: String,
        arguments: [String],
        portFile: String,
        logPath: String,
        timeout: Duration = .seconds(60)
    ) async throws {
        self.name = name
        self.logPath = logPath
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw LoadError("cannot start \(name) (\(executable)): \(error.localizedDescription)")
        }
        self.process = process
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                self.port = port
                return
            }
            guard process.isRunning else {
                throw LoadError(
                    "\(name) exited with status \(process.terminationStatus) before listening; see \(logPath)"
                )
            }
            guard clock.now < deadline else {
                process.terminate()
                throw LoadError("\(name) did not listen within \(timeout); see \(logPath)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The child's process id.
    var pid: Int32 { self.process.processIdentifier }

    /// Whether it is still running.
    var isRunning: Bool { self.process.isRunning }

    /// Stops it: SIGTERM, then SIGKILL after `grace`.
    func stop(grace: Duration = .seconds(5)) async {
        guard self.process.isRunning else { return }
        self.process.terminate()
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while self.process.isRunning, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if self.process.isRunning { Foundation.kill(self.pid, SIGKILL) }
    }

    /// Kills it at once, as a crash would.
    func kill() {
        if self.process.isRunning { Foundation.kill(self.pid, SIGKILL) }
    }
}
