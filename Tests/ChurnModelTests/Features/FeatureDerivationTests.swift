import ChurnModel
import ChurnTesting
import Foundation
import Testing

@Suite("Features from monthly histories", .onComputeThreads)
struct FeatureDerivationTests {
    static let asOf = CivilDate.days(year: 2026, month: 6, day: 15)
    static let derivation = FeatureDerivation()

    private static func feature(_ name: String, _ row: [Double]) -> Double {
        row[FeatureDerivation.schema.index(of: name)!]
    }

    @Test("calendar conversion agrees with Foundation across four centuries")
    func calendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        for days in stride(from: -80_000, through: 80_000, by: 97) {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let civil = CivilDate(days: days)
            #expect(civil.year == parts.year && civil.month == parts.month && civil.day == parts.day, "day \(days)")
            #expect(CivilDate.days(year: civil.year, month: civil.month, day: civil.day) == days)
        }
    }

    @Test("a six-month history gives the documented features")
    func typical() throws {
        // Jan–Mar: 100/month, KAG 10; Apr–Jun: 50, 60, 70, KAG 8.
        var months: [MonthlyActivity] = (1...3).map {
            MonthlyActivity(year: 2026, month: $0, netRevenue: 100, kagCount: 10)
        }
        months += [
            MonthlyActivity(
                year: 2026,
                month: 4,
                netRevenue: 50,
                kagCount: 8,
                discounts: 6,
                returns: 3,
                complaints: 1,
                satisfaction: 4,
                callCenterContacts: 2
            ),
            MonthlyActivity(year: 2026, month: 5, netRevenue: 60, kagCount: 8, complaints: 2),
            MonthlyActivity(year: 2026, month: 6, netRevenue: 70, kagCount: 8, satisfaction: 3, callCenterContacts: 1),
        ]
        let history = CustomerHistory(
            months: months,
            lastActivityDay: Self.asOf - 20,
            contractStartDay: CivilDate.days(year: 2024, month: 6, day: 15)
        )
        let row = try Self.derivation.features(of: history, asOfDay: Self.asOf)
        #expect(row.count == FeatureDerivation.schema.features.count)
        #expect(Self.feature("days_inactive", row) == 20)
        #expect(abs(Self.feature("contract_months", row) - 24) < 0.05)
        #expect(Self.feature("revenue_3m", row) == 180)
        #expect(abs(Self.feature("revenue_change_3m", row) - (180 - 300) / 300) < 1e-12)
        #expect(abs(Self.feature("kag_change_3m", row) - (8 - 10) / 10.0) < 1e-9)  // epsilon shifts it by 2e-12
        #expect(abs(Self.feature("discount_rate", row) - 6 / 180.0) < 1e-12)
        #expect(abs(Self.feature("return_rate", row) - 3 / 180.0) < 1e-12)
        #expect(Self.feature("complaint_rate", row) == 1)
        #expect(Self.feature("satisfaction", row) == 3.5)
        #expect(Self.feature("call_center_contacts", row) == 3)
    }

    @Test("zero revenue divides by epsilon, never by zero")
    func zeroRevenue() throws {
        let months = (1...6).map { MonthlyActivity(year: 2026, month: $0, netRevenue: 0, discounts: $0 == 6 ? 5 : 0) }
        let row = try Self.derivation.features(of: CustomerHistory(months: months), asOfDay: Self.asOf)
        #expect(Self.feature("revenue_change_3m", row) == 0)
        #expect(Self.feature("discount_rate", row) == 5 / 1e-10)
        #expect(row.allSatisfy { !$0.isInfinite })
        let custom = FeatureDerivation(configuration: .init(epsilon: 1))
        #expect(
            try Self.feature("discount_rate", custom.features(of: CustomerHistory(months: months), asOfDay: Self.asOf))
                == 5
        )
    }

    @Test("a single month: levels are known, changes and unknown dates are missing")
    func singleMonth() throws {
        let history = CustomerHistory(months: [MonthlyActivity(year: 2026, month: 6, netRevenue: 40, kagCount: 3)])
        let row = try Self.derivation.features(of: history, asOfDay: Self.asOf)
        #expect(Self.feature("revenue_3m", row) == 40)
        #expect(Self.feature("revenue_change_3m", row).isNaN)
        #expect(Self.feature("kag_change_3m", row).isNaN)
        #expect(Self.feature("days_inactive", row).isNaN)
        #expect(Self.feature("contract_months", row).isNaN)
        #expect(Self.feature("satisfaction", row).isNaN)
    }

    @Test("future-dated, repeated or unordered history is refused")
    func refused() {
        let cases: [CustomerHistory] = [
            CustomerHistory(months: [MonthlyActivity(year: 2026, month: 7)]),
            CustomerHistory(months: [MonthlyActivity(year: 2026, month: 3), MonthlyActivity(year: 2026, month: 3)]),
            CustomerHistory(months: [MonthlyActivity(year: 2026, month: 4), MonthlyActivity(year: 2026, month: 3)]),
            CustomerHistory(months: [], lastActivityDay: Self.asOf + 1),
            CustomerHistory(months: [], contractStartDay: Self.asOf + 1),
        ]
        for history in cases {
            #expect(throws: ModelError.self) { try Self.derivation.features(of: history, asOfDay: Self.asOf) }
        }
    }
}
