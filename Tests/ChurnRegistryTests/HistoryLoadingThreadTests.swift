import Foundation
import Testing

@testable import ChurnRegistry

@Suite("HistoryLoadingThread: a reload of every history runs at a lower priority, awaits included")
struct HistoryLoadingThreadTests {
    /// The calling thread's name as the system knows it (what `top` and `perf` show); synchronous,
    /// since the current thread is not for async code.
    static func threadName() -> String {
        #if os(Linux)
        let comm = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
        return comm?.trimmingCharacters(in: .newlines) ?? "?"
        #else
        return Thread.current.name ?? "?"
        #endif
    }

    @Test("the work runs on the loading thread at the loader's nice value, across its awaits, and returns its value")
    func lowerPriority() async throws {
        let before = ModelLoadingThreadTests.niceness()
        let seen = try await HistoryLoadingThread.run { () async throws -> [String] in
            var seen: [String] = []
            for _ in 0..<3 {
                seen.append("\(Self.threadName()) \(ModelLoadingThreadTests.niceness())")
                // A suspension, as reading rows from the database makes: the work comes back to
                // the same thread.
                try await Task.sleep(for: .milliseconds(5))
            }
            return seen
        }
        #if canImport(Glibc)
        #expect(seen == Array(repeating: "history-loading \(ModelLoadingThread.niceness)", count: 3))
        #endif
        #expect(ModelLoadingThreadTests.niceness() == before)
    }

    @Test("an error thrown by the work reaches the caller")
    func errors() async {
        struct Failed: Error {}
        await #expect(throws: Failed.self) {
            try await HistoryLoadingThread.run { () async throws -> Int in throw Failed() }
        }
    }
}
