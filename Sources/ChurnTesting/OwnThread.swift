public import Foundation

/// Blocking work run on a thread of its own, awaited without holding one of Swift concurrency's
/// threads. The cooperative pool has a thread per core: on 2 cores, a test waiting for a child
/// process (or sleeping) on a pool thread while another computes leaves every other task of the
/// parallel test run waiting, and their deadlines fire (seen: a 4 s stall of the whole run while
/// a training command ran, and a 10 s commit deadline failing in CI).
public enum OwnThread {
    /// Runs `work` on a new thread; its result, or what it throws.
    public static func run<Result: Sendable>(
        _ work: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Swift.Result { try work() }) }
        }
    }
}

extension Process {
    /// Waits for the process to exit on a thread of its own (see ``OwnThread``); its
    /// termination status.
    @discardableResult
    public func exited() async -> Int32 {
        let process = UncheckedProcess(self)
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.value.waitUntilExit()
                continuation.resume(returning: process.value.terminationStatus)
            }
        }
    }
}

/// `Process` is not `Sendable`; waiting for its exit from another thread is what Foundation
/// documents `waitUntilExit()` for.
private struct UncheckedProcess: @unchecked Sendable {
    let value: Process
    init(_ value: Process) { self.value = value }
}
