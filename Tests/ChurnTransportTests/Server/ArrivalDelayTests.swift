import ChurnTesting
import NIOCore
import Testing

@testable import ChurnTransport

@Suite("Arrival delay", .onOwnEventLoops)
struct ArrivalDelayTests {
    @Test(
        "the wait is what exceeds the smallest difference seen, whatever the clocks' offset",
        arguments: [
            Int64(0), 5_000, -5_000, 86_400_000,
        ]
    )
    func offsetCancels(offset: Int64) {
        let arrivals = ArrivalDelay()
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        // The caller's clock reads `offset` less than the server's; the network takes 2 ms.
        func wait(sentAt: Int64, arrivedAfter: Int64, at seconds: Int64) -> Int64 {
            arrivals.wait(
                sentAt: sentAt - offset,
                receivedAt: sentAt + arrivedAfter,
                now: start + .seconds(seconds)
            )
        }
        #expect(wait(sentAt: 1_000_000, arrivedAfter: 2, at: 0) == 0)
        #expect(wait(sentAt: 1_000_100, arrivedAfter: 402, at: 1) == 400)
        #expect(wait(sentAt: 1_000_200, arrivedAfter: 1, at: 2) == 0)
        // The baseline is now 1 ms: a call that took 2 ms waited 1.
        #expect(wait(sentAt: 1_000_300, arrivedAfter: 2, at: 3) == 1)
    }

    @Test("a baseline is kept for one to two windows, then follows the clocks")
    func windows() {
        let arrivals = ArrivalDelay()
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let window = ArrivalDelay.window
        #expect(arrivals.wait(sentAt: 0, receivedAt: 10, now: start) == 0)
        // Next window: the old minimum still counts.
        #expect(arrivals.wait(sentAt: 0, receivedAt: 50, now: start + window) == 40)
        // Two windows on, only the last window's smallest difference counts: the clocks have
        // drifted by 40 ms, and that is the baseline now.
        #expect(arrivals.wait(sentAt: 0, receivedAt: 50, now: start + window + window) == 0)
        #expect(arrivals.wait(sentAt: 0, receivedAt: 60, now: start + window + window + .seconds(1)) == 10)
    }
}
