import ChurnDatasets
import ChurnModel
import ChurnTesting
import Testing

@Suite(.onComputeThreads) struct DemoCustomerBaseTests {
    @Test func theSameSeedGivesTheSameCustomersAndAnotherSeedOthers() {
        let one = DemoCustomerBase(configuration: .init(companies: 50, seed: 1)).timelines()
        let again = DemoCustomerBase(configuration: .init(companies: 50, seed: 1)).timelines()
        let other = DemoCustomerBase(configuration: .init(companies: 50, seed: 2)).timelines()
        // Compared as text: missing satisfaction is NaN, which is never == itself.
        #expect("\(one)" == "\(again)")
        #expect("\(one)" != "\(other)")
    }

    @Test func historiesAreWellFormedAndSomeCustomersLeave() throws {
        let base = DemoCustomerBase(configuration: .init(companies: 400, months: 24, seed: 9))
        let timelines = base.timelines()
        #expect(timelines.count > 400 && timelines.count < 1_200)
        let groups = Set(timelines.map(\.productGroup))
        #expect(groups == ["fuel_cards", "vehicle_leasing", "hotel_stays", "toll_services"])
        for timeline in timelines {
            #expect(zip(timeline.months, timeline.months.dropFirst()).allSatisfy { $0.month < $1.month })
            #expect(zip(timeline.activityDays, timeline.activityDays.dropFirst()).allSatisfy { $0 < $1 })
            #expect(timeline.activityDays.allSatisfy { $0 >= base.startDay && $0 <= base.endDay })
            #expect(timeline.months.allSatisfy { $0.kagCount >= 1 && $0.netRevenue > 0 })
        }
        var rows = 0
        var churned = 0
        try ChurnSnapshots().rows(of: timelines, dataStartDay: base.startDay, dataEndDay: base.endDay) {
            (row: ChurnSnapshots.Row) throws(Never) in
            rows += 1
            churned += row.churned
        }
        let rate = Double(churned) / Double(rows)
        #expect(rate > 0.01 && rate < 0.15, "churn rate \(rate)")
    }

    @Test func generatorIsReproducibleAndUniform() {
        var generator = SeededGenerator(seed: 42)
        var again = SeededGenerator(seed: 42)
        let first = (0..<5).map { _ in generator.next() }
        #expect(first == (0..<5).map { _ in again.next() })
        var sum = 0.0
        for _ in 0..<10_000 { sum += generator.uniform() }
        #expect(abs(sum / 10_000 - 0.5) < 0.02)
        var poisson = 0
        for _ in 0..<10_000 { poisson += generator.poisson(3) }
        #expect(abs(Double(poisson) / 10_000 - 3) < 0.1)
    }
}
