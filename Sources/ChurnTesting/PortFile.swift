public import Foundation

/// Waits for a server process started with `--port-file` to write the port it listens on.
///
/// - Returns: the port, or nil when the process exits first or `limit` passes.
public func waitForPortFile(_ path: String, of process: Process, limit: Duration = .seconds(90)) async throws -> Int? {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline, process.isRunning {
        if let port = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap({
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }) {
            return port
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    return nil
}
