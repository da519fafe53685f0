import ChurnModel
import ChurnTesting
import Testing

@Suite("Applying activity events to a customer's months", .onComputeThreads)
struct CustomerMonthsTests {
    static let march2025 = MonthlyActivity.monthIndex(year: 2025, month: 3)

    /// Noon UTC of a day of 2025.
    static func at(_ month: Int, _ day: Int) -> Int64 {
        Int64(CivilDate.days(year: 2025, month: month, day: day)) * 86_400_000 + 43_200_000
    }

    static func event(
        _ id: String,
        _ kind: Activity.Kind,
        month: Int = 3,
        day: Int = 10,
        amount: Double = 0,
        kagDelta: Int32 = 0
    ) -> Activity {
        Activity(
            eventID: id,
            crm: 42,
            productGroup: "fuel_cards",
            occurredAtMilliseconds: Self.at(month, day),
            kind: kind,
            amount: amount,
            kagDelta: kagDelta
        )
    }

    @Test("each kind changes its month's aggregate as documented")
    func kinds() {
        var customer = CustomerMonths(crm: 42, productGroup: "fuel_cards")
        for event in [
            Self.event("a", .purchase, day: 12, amount: 500),
            Self.event("b", .return, day: 4, amount: 40),
            Self.event("c", .discount, amount: 25),
            Self.event("d", .complaint),
            Self.event("e", .complaint),
            Self.event("f", .callCenterContact),
            Self.event("g", .satisfaction, amount: 8),
            Self.event("h", .satisfaction, amount: 5),
            Self.event("i", .kagChange, kagDelta: 12),
            Self.event("j", .kagChange, kagDelta: -2),
            Self.event("k", .contractStart, month: 1, day: 15),
        ] {
            customer.apply(event)
        }
        #expect(customer.months.count == 1)
        let month = customer.months[0]
        #expect(month.activity.month == Self.march2025)
        #expect(month.activity.netRevenue == 460)
        #expect(month.activity.returns == 40)
        #expect(month.activity.discounts == 25)
        #expect(month.activity.complaints == 2)
        #expect(month.activity.callCenterContacts == 1)
        #expect(month.activity.satisfaction == 6.5)
        #expect(month.surveys == 2)
        #expect(month.activity.kagCount == 10)
        // Active days come from the purchase (the 12th) and the return (the 4th) only.
        #expect(month.activeDays?.first == CivilDate.days(year: 2025, month: 3, day: 4))
        #expect(month.activeDays?.last == CivilDate.days(year: 2025, month: 3, day: 12))
        #expect(customer.contractStartDay == CivilDate.days(year: 2025, month: 1, day: 15))
    }

    @Test("a month with only complaints, calls or surveys has no active day and does not move the last activity")
    func noActivity() {
        var customer = CustomerMonths(crm: 42, productGroup: "fuel_cards")
        customer.apply(Self.event("a", .purchase, month: 2, day: 3, amount: 10))
        customer.apply(Self.event("b", .complaint, month: 3, day: 20))
        customer.apply(Self.event("c", .callCenterContact, month: 3, day: 21))
        #expect(customer.months.map(\.activity.month) == [Self.march2025 - 1, Self.march2025])
        #expect(customer.months[1].activeDays == nil)
        let history = customer.stored.history(asOfDay: CivilDate.days(year: 2025, month: 3, day: 31))
        #expect(history.lastActivityDay == CivilDate.days(year: 2025, month: 2, day: 3))
        #expect(history.months.count == 2)
    }

    @Test("months stay in order; a new month carries the KAG in use before it; a KAG change reaches later months")
    func orderAndKAG() {
        var customer = CustomerMonths(crm: 42, productGroup: "fuel_cards")
        customer.apply(Self.event("a", .kagChange, month: 1, kagDelta: 30))
        customer.apply(Self.event("b", .purchase, month: 4, amount: 1))
        customer.apply(Self.event("c", .purchase, month: 2, amount: 1))
        #expect(
            customer.months.map(\.activity.month)
                == [1, 2, 4].map { MonthlyActivity.monthIndex(year: 2025, month: $0) }
        )
        #expect(customer.months.map(\.activity.kagCount) == [30, 30, 30])
        customer.apply(Self.event("d", .kagChange, month: 2, kagDelta: -40))
        #expect(customer.months.map(\.activity.kagCount) == [30, 0, 0])
    }

    @Test("a stored mean without its survey count counts as one survey")
    func legacyMean() {
        var activity = MonthlyActivity(year: 2025, month: 3, satisfaction: 9)
        activity.month = Self.march2025
        var customer = CustomerMonths(
            crm: 42,
            productGroup: "fuel_cards",
            months: [.init(activity: activity, activeDays: nil, surveys: 0)]
        )
        customer.apply(Self.event("a", .satisfaction, amount: 3))
        #expect(customer.months[0].activity.satisfaction == 6)
        #expect(customer.months[0].surveys == 2)
    }

    @Test("events are validated: ids, groups, times, amounts, KAG deltas and the future")
    func validation() throws {
        let good = Self.event("ok", .purchase, amount: 1)
        try good.validate(latestDay: good.day)
        var bad: [Activity] = []
        for change in [
            { (event: inout Activity) in event.eventID = "" },
            { $0.eventID = String(repeating: "x", count: 201) },
            { $0.productGroup = "" },
            { $0.productGroup = "fuel\tcards" },
            { $0.occurredAtMilliseconds = -1 },
            { $0.amount = .nan },
            { $0.amount = .infinity },
            { $0.kind = .kagChange },
        ] as [(inout Activity) -> Void] {
            var event = good
            change(&event)
            bad.append(event)
        }
        for event in bad {
            #expect(throws: ModelError.self) { try event.validate() }
        }
        #expect(throws: ModelError.self) { try good.validate(latestDay: good.day - 1) }
        // Days before 1970 round down, not towards zero.
        #expect(
            Activity(eventID: "x", crm: 1, productGroup: "g", occurredAtMilliseconds: -1, kind: .complaint).day == -1
        )
    }
}
