import ChurnTesting
import Foundation
import NIOCore
import NIOPosix
import Testing

/// Run only when asked (`CHURNGUARD_STALL_MONITOR=150 ops/test`): watches the whole parallel
/// run for waits of a second or more on Swift's cooperative pool or NIO's singleton loops, where
/// they fail other tests' deadlines (see `StallMonitor`), and fails naming each one.
@Suite("Stalls of the shared threads during the test run")
struct StallMonitorTests {
    @Test(
        "nothing holds the cooperative pool or a shared event loop for a second or more",
        .enabled(if: StallMonitor.isRequested, "set CHURNGUARD_STALL_MONITOR to the seconds to watch")
    )
    func noStalls() async throws {
        let configuration = try #require(
            StallMonitor.requested,
            "CHURNGUARD_STALL_MONITOR must be a number of seconds above 0, not '\(ProcessInfo.processInfo.environment["CHURNGUARD_STALL_MONITOR"] ?? "")'"
        )
        let stalls = try await StallMonitor(configuration: configuration).watch()
        for stall in stalls { Issue.record("\(stall)") }
    }

    @Test("a loop held for a second is reported, and named")
    func aHeldLoopIsReported() async throws {
        // Loops of the test's own: holding the shared ones would stall every other test.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = Array(group.makeIterator())
        let monitor = StallMonitor(
            configuration: .init(duration: .seconds(2), threshold: .milliseconds(500), eventLoops: loops)
        )
        async let stalls = monitor.watch()
        try await Task.sleep(for: .milliseconds(300))
        try await loops[1].submit { Thread.sleep(forTimeInterval: 1.0) }.get()
        let found = try await stalls
        try await group.shutdownGracefully()
        #expect(found.contains { $0.place == "event loop 1" && $0.waited >= .milliseconds(500) }, "\(found)")
        #expect(!found.contains { $0.place == "event loop 0" }, "\(found)")
    }
}
