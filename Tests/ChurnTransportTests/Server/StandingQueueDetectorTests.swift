import ChurnTesting
import NIOCore
import Testing

@testable import ChurnTransport

@Suite("Standing queue detector", .onOwnEventLoops)
struct StandingQueueDetectorTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func detector() -> StandingQueueDetector {
        StandingQueueDetector(.init(target: .milliseconds(100), interval: .seconds(1)), now: Self.start)
    }

    @Test("a queue stands once no call has waited the target or less for a whole interval")
    func standsAfterAnInterval() {
        let queue = Self.detector()
        let start = Self.start
        #expect(!queue.isStanding(now: start))
        // Every call waits longer than the target from here on.
        for step in 1...10 { queue.observe(wait: 400, now: start + .milliseconds(Int64(step) * 100)) }
        #expect(!queue.isStanding(now: start + .milliseconds(1_000)))
        #expect(queue.isStanding(now: start + .milliseconds(1_001)))
        #expect(queue.isStanding(now: start + .seconds(60)))
    }

    @Test("one call within the target ends a standing queue at once, and a new interval starts")
    func oneShortWaitEndsIt() {
        let queue = Self.detector()
        let start = Self.start
        queue.observe(wait: 400, now: start + .milliseconds(500))
        #expect(queue.isStanding(now: start + .milliseconds(1_500)))
        queue.observe(wait: 100, now: start + .milliseconds(1_500))
        #expect(!queue.isStanding(now: start + .milliseconds(1_500)))
        #expect(!queue.isStanding(now: start + .milliseconds(2_500)))
        #expect(queue.isStanding(now: start + .milliseconds(2_501)))
    }

    @Test("a burst that drains within the interval never stands")
    func aBurstIsNotAQueue() {
        let queue = Self.detector()
        let start = Self.start
        // A burst: waits climb to 800 ms over 800 ms; the next call finds the queue empty.
        for step in 0..<9 {
            let now = start + .milliseconds(Int64(step) * 100)
            queue.observe(wait: Int64(step) * 100, now: now)
            #expect(!queue.isStanding(now: now))
        }
        queue.observe(wait: 3, now: start + .milliseconds(900))
        #expect(!queue.isStanding(now: start + .milliseconds(1_900)))
    }
}
