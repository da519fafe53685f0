import ChurnLoad
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// How ``LoadRunner`` drives an ``EventLoopLoadTarget``: which calls it starts, where, and how
/// many, against a target that answers every call at once.
@Suite("Load on event loops")
struct EventLoopDriverTests {
    @Test("an open loop starts every call of the schedule once, each on its own loop")
    func openLoopStartsEachCallOnItsLoop() async throws {
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let target = InstantTarget(eventLoops: Array(loops.makeIterator()) + [loops.next()])
        let result = await LoadRunner.run(
            target,
            LoadRunConfiguration(
                mode: .open(ArrivalSchedule(rate: 3_000, process: .poisson(seed: 5))),
                duration: .seconds(5),
                warmup: .zero,
                maxCalls: 1_500
            )
        )
        try await loops.shutdownGracefully()
        let starts = target.starts.withLockedValue { $0 }
        #expect(starts.map(\.index).sorted() == Array(0..<1_500))
        #expect(starts.allSatisfy { $0.onItsLoop })
        #expect(result.sent == 1_500 && result.answered == 1_500)
    }

    @Test("closed-loop callers whose calls end at once neither recurse nor pass the bound")
    func closedLoopWithInstantAnswers() async throws {
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let target = InstantTarget(eventLoops: Array(loops.makeIterator()))
        let result = await LoadRunner.run(
            target,
            LoadRunConfiguration(mode: .closed(concurrency: 3), duration: .seconds(20), warmup: .zero, maxCalls: 50_000)
        )
        try await loops.shutdownGracefully()
        let starts = target.starts.withLockedValue { $0 }
        #expect(starts.count == 50_000)
        #expect(Set(starts.map(\.index)).count == 50_000)
        #expect(starts.allSatisfy { $0.onItsLoop })
        #expect(result.answered == 50_000 && result.failed == 0)
    }
}

/// Answers every call at once, on the thread that started it, and records where each started.
private final class InstantTarget: EventLoopLoadTarget {
    let name = "instant"
    let eventLoops: [any EventLoop]
    let starts = NIOLockedValueBox<[(index: Int, onItsLoop: Bool)]>([])

    init(eventLoops: [any EventLoop]) {
        self.eventLoops = eventLoops
    }

    func call(_ index: Int) async -> CallOutcome {
        Issue.record("call \(index) went through a task")
        return .failed(code: "TASK")
    }

    func start(_ index: Int, completion: @escaping @Sendable (CallOutcome) -> Void) {
        let onItsLoop = self.eventLoops[index % self.eventLoops.count].inEventLoop
        self.starts.withLockedValue { $0.append((index, onItsLoop)) }
        completion(.answered(rows: 1))
    }

    func close() async {}
}
