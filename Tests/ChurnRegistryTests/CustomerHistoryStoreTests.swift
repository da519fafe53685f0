import ChurnModel
import ChurnTesting
import Testing

@testable import ChurnRegistry

/// Histories stored in a real PostgreSQL and read back.
@Suite("Customer history store")
struct CustomerHistoryStoreTests {
    static func day(_ month: Int, _ day: Int) -> Int { CivilDate.days(year: 2025, month: month, day: day) }

    /// Every column that may be NULL, NULL and not: no satisfaction (NaN), a month with no active
    /// days, an unknown contract start.
    static let customers = [
        StoredCustomer(
            crm: 42,
            productGroup: "fuel_cards",
            contractStartDay: day(1, 1) - 400,
            months: [
                MonthlyActivity(year: 2025, month: 1, netRevenue: 1_000.25, kagCount: 10, discounts: 3.5),
                MonthlyActivity(
                    year: 2025,
                    month: 2,
                    netRevenue: -12.5,
                    kagCount: 9,
                    returns: 2,
                    complaints: 1,
                    satisfaction: 8,
                    callCenterContacts: 4
                ),
            ],
            activeDays: [(day(1, 3), day(1, 28)), nil]
        ),
        StoredCustomer(
            crm: UInt64(Int64.max),
            productGroup: "tolls",
            contractStartDay: nil,
            months: [MonthlyActivity(year: 2024, month: 12, netRevenue: 7, kagCount: 1)],
            activeDays: [(day(1, 1) - 20, day(1, 1) - 2)]
        ),
    ]

    @Test("what is stored is read back, NULLs included, column by column")
    func roundTrip() async throws {
        try await TestRegistry.with { registry, _ in
            let store = CustomerHistoryStore(client: registry.client, logger: TestRegistry.logger)
            try await store.replace(with: Self.customers)
            let read = try await store.customers().customers.sorted { $0.crm < $1.crm }
            #expect(read.count == 2)
            for (got, stored) in zip(read, Self.customers) {
                #expect(got.crm == stored.crm)
                #expect(got.productGroup == stored.productGroup)
                #expect(got.contractStartDay == stored.contractStartDay)
                #expect(got.months.count == stored.months.count)
                for (month, expected) in zip(got.months, stored.months) {
                    #expect(month.month == expected.month)
                    #expect(month.netRevenue == expected.netRevenue)
                    #expect(month.kagCount == expected.kagCount)
                    #expect(month.discounts == expected.discounts)
                    #expect(month.returns == expected.returns)
                    #expect(month.complaints == expected.complaints)
                    #expect(month.callCenterContacts == expected.callCenterContacts)
                    #expect(
                        month.satisfaction == expected.satisfaction
                            || (month.satisfaction.isNaN && expected.satisfaction.isNaN)
                    )
                }
                #expect(
                    got.activeDays.map { $0.map { [$0.first, $0.last] } }
                        == stored.activeDays.map { $0.map { [$0.first, $0.last] } }
                )
            }
        }
    }
}
