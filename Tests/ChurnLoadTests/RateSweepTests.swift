import ChurnLoad
import NIOConcurrencyHelpers
import Testing

@Suite("Rate sweep", .serialized)
struct RateSweepTests {
    @Test("a sweep finds the rate where the server starts to queue")
    func findsTheKnee() async throws {
        // Calls are delayed 300 ms whenever more than 55 arrived in the last half second: the
        // server holds up to 110 calls/s and queues beyond. The 100 ms bound leaves room for a
        // busy machine below the knee.
        let arrivals = NIOLockedValueBox<[ContinuousClock.Instant]>([])
        let kneed: @Sendable (ContinuousClock.Instant) -> Duration = { now in
            let recent = arrivals.withLockedValue { times in
                times.append(now)
                times.removeAll { now - $0 > .milliseconds(500) }
                return times.count
            }
            return recent > 55 ? .milliseconds(300) : .zero
        }
        var base = try Scenario(
            parsing: """
                [load]
                arrivals = "constant"
                duration_s = 1.5
                warmup_s = 0.5
                """,
            name: "sweep",
            source: "sweep.toml"
        )
        base.repetitions = 1
        let sweep = RateSweep(p99BoundMicros: 100_000, from: 40, to: 1_000, factor: 2, refine: 2)
        let outcome = try await withFixedAnswerServer(delay: kneed) { connections in
            await sweep.run(scoreTarget(connections), base: base)
        }
        // 40 and 80 hold, 160 misses; then 120 misses and 100 holds.
        #expect(outcome.steps.map { $0.targetRate ?? 0 } == [40, 80, 100, 120, 160])
        #expect(outcome.best?.targetRate == 100)
        #expect(outcome.steps.filter { sweep.holds($0) }.map { $0.targetRate ?? 0 } == [40, 80, 100])
    }
}
