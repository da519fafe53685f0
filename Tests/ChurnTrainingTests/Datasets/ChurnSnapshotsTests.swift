import ChurnDatasets
import ChurnModel
import ChurnTesting
import Testing

@Suite(.onComputeThreads) struct ChurnSnapshotsTests {
    static func day(_ year: Int, _ month: Int, _ day: Int) -> Int { CivilDate.days(year: year, month: month, day: day) }

    static func timeline(activity: [Int], contractStart: Int? = nil) -> CustomerTimeline {
        var months: [MonthlyActivity] = []
        for day in activity {
            let date = CivilDate(days: day)
            if months.last?.month != date.monthIndex {
                months.append(MonthlyActivity(year: date.year, month: date.month, netRevenue: 100, kagCount: 2))
            }
        }
        return CustomerTimeline(
            crm: 7,
            productGroup: "tolls",
            contractStartDay: contractStart,
            months: months,
            activityDays: activity
        )
    }

    @Test func periodsNeedHistoryBeforeAndTheHorizonAfter() {
        let snapshots = ChurnSnapshots()
        let periods = snapshots.periods(dataStartDay: Self.day(2024, 1, 1), dataEndDay: Self.day(2024, 12, 31))
        // First: June 2024 (6 months of data); last: September (30 Sep + 90 days = 29 Dec ≤ 31 Dec).
        #expect(
            periods == MonthlyActivity.monthIndex(
                year: 2024,
                month: 6
            )...MonthlyActivity.monthIndex(year: 2024, month: 9)
        )
        #expect(snapshots.periods(dataStartDay: Self.day(2024, 1, 1), dataEndDay: Self.day(2024, 7, 31)) == nil)
    }

    @Test func labelsAreFutureInactivityAndChurnedCustomersLeave() throws {
        // Active every month through July 2024, then nothing; data through December.
        let activity = (1...7).map { Self.day(2024, $0, 10) }
        let timeline = Self.timeline(activity: activity, contractStart: Self.day(2023, 1, 1))
        var rows: [ChurnSnapshots.Row] = []
        try ChurnSnapshots().rows(
            of: [timeline],
            dataStartDay: Self.day(2024, 1, 1),
            dataEndDay: Self.day(2024, 12, 31)
        ) {
            (row: ChurnSnapshots.Row) throws(Never) in rows.append(row)
        }
        let june = MonthlyActivity.monthIndex(year: 2024, month: 6)
        // June: active in July → retained. July, August, September: no activity follows → churned.
        // October: the last activity (10 July) is 113 days back: already churned, no row.
        #expect(rows.map(\.period) == [june, june + 1, june + 2, june + 3])
        #expect(rows.map(\.churned) == [0, 1, 1, 1])
        // Features are as of the snapshot: in June, the last activity is 10 June (20 days).
        #expect(rows[0].features[0] == 20)
        #expect(rows[2].features[0] == Double(Self.day(2024, 8, 31) - Self.day(2024, 7, 10)))
    }

    @Test func contractsThatHaveNotStartedAreSkipped() throws {
        let activity = (1...12).map { Self.day(2024, $0, 5) }
        let timeline = Self.timeline(activity: activity, contractStart: Self.day(2024, 8, 1))
        var periods: [Int] = []
        try ChurnSnapshots().rows(
            of: [timeline],
            dataStartDay: Self.day(2024, 1, 1),
            dataEndDay: Self.day(2024, 12, 31)
        ) {
            (row: ChurnSnapshots.Row) throws(Never) in periods.append(row.period)
        }
        #expect(
            periods == [
                MonthlyActivity.monthIndex(year: 2024, month: 8), MonthlyActivity.monthIndex(year: 2024, month: 9),
            ]
        )
    }

    @Test func csvLinesMatchTheHeader() {
        let row = ChurnSnapshots.Row(
            crm: 42,
            productGroup: "a,b",
            period: MonthlyActivity.monthIndex(year: 2025, month: 3),
            features: [1, .nan, 2.5, 0, 0, 0, 0, 0, .nan, 3],
            churned: 1
        )
        let header = ChurnSnapshots.Row.csvHeader
        #expect(header.hasPrefix("id,crm,product_group,period,days_inactive,"))
        #expect(row.csvLine == "\"42/a,b/2025-03\",42,\"a,b\",2025-03,1.0,,2.5,0.0,0.0,0.0,0.0,0.0,,3.0,1")
    }
}
