import ChurnLoad
import Testing

@Suite("Arrival schedules")
struct ArrivalScheduleTests {
    @Test("a constant schedule spaces calls exactly 1 / rate apart, without drift")
    func constantGaps() {
        let offsets = Array(ArrivalSchedule(rate: 3_000, process: .constant).prefix(3_001))
        #expect(offsets[0] == 0)
        #expect(offsets[1] == 333_333)
        #expect(offsets[3_000] == 1_000_000_000)
    }

    @Test("a Poisson schedule has the asked-for mean rate and exponential gaps")
    func poissonRate() {
        let count = 200_000
        let offsets = Array(ArrivalSchedule(rate: 10_000, process: .poisson(seed: 7)).prefix(count + 1))
        let gaps = zip(offsets.dropFirst(), offsets).map { Double($0 - $1) }
        let mean = gaps.reduce(0, +) / Double(count)
        #expect(abs(mean - 100_000) / 100_000 < 0.01)
        // An exponential distribution has P(gap > mean) = 1/e.
        let longer = Double(gaps.filter { $0 > 100_000 }.count) / Double(count)
        #expect(abs(longer - 0.3679) < 0.01)
        #expect(offsets == offsets.sorted())
    }

    @Test("the same seed gives the same schedule; another seed another")
    func seeded() {
        let first = Array(ArrivalSchedule(rate: 500, process: .poisson(seed: 1)).prefix(100))
        let again = Array(ArrivalSchedule(rate: 500, process: .poisson(seed: 1)).prefix(100))
        let other = Array(ArrivalSchedule(rate: 500, process: .poisson(seed: 2)).prefix(100))
        #expect(first == again)
        #expect(first != other)
    }
}
