import ChurnModel
import ChurnScorer
import NIOConcurrencyHelpers
import Testing

@Suite("Customer book")
struct CustomerBookTests {
    /// 2026-03-31, a month end.
    static let marchEnd = CivilDate.days(year: 2026, month: 3, day: 31)

    /// Seven months of a fuel-card customer, 2025-09 to 2026-03, its revenue falling lately.
    static func customer(crm: UInt64 = 4711, group: String = "fuel_cards") -> CustomerBook.Customer {
        var months: [MonthlyActivity] = []
        var days: [(first: Int, last: Int)?] = []
        for (offset, (year, month)) in [(2025, 9), (2025, 10), (2025, 11), (2025, 12), (2026, 1), (2026, 2), (2026, 3)]
            .enumerated()
        {
            months.append(
                MonthlyActivity(
                    year: year,
                    month: month,
                    netRevenue: 10_000 - Double(offset) * 1_200,
                    kagCount: 12 - Double(offset),
                    discounts: 300,
                    returns: 50,
                    complaints: offset == 6 ? 2 : 0,
                    satisfaction: offset % 2 == 0 ? 7.5 - Double(offset) * 0.5 : .nan,
                    callCenterContacts: Double(offset % 3)
                )
            )
            let first = CivilDate.days(year: year, month: month, day: 3)
            days.append((first, first + 20))
        }
        return CustomerBook.Customer(
            crm: crm,
            productGroup: group,
            contractStartDay: CivilDate.days(year: 2022, month: 5, day: 1),
            months: months,
            activeDays: days
        )
    }

    @Test("a customer's features are FeatureDerivation's of its history as of the scoring day")
    func featuresAreDerived() throws {
        let customer = Self.customer()
        let book = try CustomerBook(customers: [customer], scoringDay: .fixed(Self.marchEnd))
        let features = try #require(try book.features(crm: 4711, productGroup: "fuel_cards"))
        let expected = try FeatureDerivation().features(
            of: CustomerHistory(
                months: customer.months,
                lastActivityDay: customer.activeDays.last!!.last,
                contractStartDay: customer.contractStartDay
            ),
            asOfDay: Self.marchEnd
        )
        #expect(features.count == FeatureDerivation.schema.features.count)
        #expect(zip(features, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        // 2026-03-23 was the last active day.
        #expect(features[0] == 8)
        // Asked again, the same row comes back.
        #expect(try book.features(crm: 4711, productGroup: "fuel_cards") == features)
    }

    @Test("a customer is found by CRM number and product group together")
    func lookupKey() throws {
        let book = try CustomerBook(
            customers: [Self.customer(crm: 1, group: "fuel_cards"), Self.customer(crm: 2, group: "tolls")],
            scoringDay: .fixed(Self.marchEnd)
        )
        #expect(book.count == 2)
        #expect(try book.features(crm: 1, productGroup: "fuel_cards") != nil)
        #expect(try book.features(crm: 1, productGroup: "tolls") == nil)
        #expect(try book.features(crm: 3, productGroup: "fuel_cards") == nil)
        #expect(book.contains(crm: 2, productGroup: "tolls"))
        #expect(!book.contains(crm: 2, productGroup: "fuel_cards"))
    }

    @Test("scoring as of today derives again when the day changes")
    func todayMoves() throws {
        let today = NIOLockedValueBox(Self.marchEnd)
        let book = try CustomerBook(customers: [Self.customer()], scoringDay: .today) {
            today.withLockedValue { $0 }
        }
        let first = try #require(try book.features(crm: 4711, productGroup: "fuel_cards"))
        today.withLockedValue { $0 += 1 }
        let next = try #require(try book.features(crm: 4711, productGroup: "fuel_cards"))
        #expect(next[0] == first[0] + 1)
        // 2026-04-01 starts a month without activity: the last three months now hold one active one.
        #expect(next[2] != first[2])
        #expect(book.scoringDay == .today)
    }

    @Test("latest-activity fixes the day at the data's last active day")
    func latestActivity() throws {
        let book = try CustomerBook(
            customers: [Self.customer(crm: 1), Self.customer(crm: 2)],
            scoringDay: .latestActivity
        )
        #expect(book.scoringDay == .fixed(CivilDate.days(year: 2026, month: 3, day: 23)))
        #expect(try book.features(crm: 1, productGroup: "fuel_cards")?[0] == 0)
        let empty = try CustomerBook(customers: [], scoringDay: .latestActivity) { 20_000 }
        #expect(empty.scoringDay == .fixed(20_000))
    }

    @Test("as of a day inside the data, nothing after that day is used")
    func nothingFromTheFuture() throws {
        var customer = Self.customer()
        // The contract starts after the scoring day: unknown then.
        customer.contractStartDay = CivilDate.days(year: 2026, month: 1, day: 15)
        // 2026-01-10: January's activity (the 3rd to the 23rd) counts whole, its last day known
        // only as the 3rd; February and March are not known yet.
        let day = CivilDate.days(year: 2026, month: 1, day: 10)
        let book = try CustomerBook(customers: [customer], scoringDay: .fixed(day))
        let features = try #require(try book.features(crm: 4711, productGroup: "fuel_cards"))
        let expected = try FeatureDerivation().features(
            of: CustomerHistory(
                months: Array(customer.months.prefix(5)),
                lastActivityDay: CivilDate.days(year: 2026, month: 1, day: 3),
                contractStartDay: nil
            ),
            asOfDay: day
        )
        #expect(zip(features, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(features[0] == 7)
        #expect(features[1].isNaN)
    }

    @Test("histories that do not hold together are refused, naming the customer")
    func refusesBadHistories() {
        var uneven = Self.customer(crm: 11)
        uneven.activeDays.removeLast()
        var unordered = Self.customer(crm: 12)
        unordered.months.swapAt(0, 1)
        var reversed = Self.customer(crm: 13)
        reversed.activeDays[2] = (reversed.activeDays[2]!.last, reversed.activeDays[2]!.first)
        for (customers, words) in [
            ([uneven], "customer 11 in fuel_cards: months and active days differ"),
            ([unordered], "customer 12 in fuel_cards: months are repeated or out of order"),
            ([reversed], "customer 13 in fuel_cards: a month's last active day is before its first"),
            ([Self.customer(crm: 14), Self.customer(crm: 14)], "customer 14 in fuel_cards appears twice"),
        ] {
            #expect {
                try CustomerBook(customers: customers, scoringDay: .today)
            } throws: { error in
                guard let error = error as? ModelError else { return false }
                return error.code == .invalidHistory && error.message.contains(words)
            }
        }
    }

    @Test("a scoring day is today, latest-activity or a real date")
    func parsesScoringDays() {
        #expect(ScoringDay("today") == .today)
        #expect(ScoringDay("latest-activity") == .latestActivity)
        #expect(ScoringDay("2026-11-24") == .fixed(CivilDate.days(year: 2026, month: 11, day: 24)))
        #expect(ScoringDay("2026-11-24")?.text == "2026-11-24")
        for bad in ["2023-02-30", "2026-13-01", "2026-1-01", "yesterday", "", "2026-11-24T00:00"] {
            #expect(ScoringDay(bad) == nil, "\(bad)")
        }
    }

    @Test("an ingest update replaces the months from its first on, adds whole new customers, and skips partial ones")
    func appliesUpdates() throws {
        let customer = Self.customer()
        let book = try CustomerBook(customers: [customer], scoringDay: .fixed(Self.marchEnd))
        let before = try #require(try book.features(crm: 4711, productGroup: "fuel_cards"))
        var march = customer.months.last!
        march.netRevenue += 50_000
        let update = CustomerUpdate(
            crm: 4711,
            productGroup: "fuel_cards",
            contractStartDay: customer.contractStartDay,
            fromMonth: march.month,
            months: [march],
            activeDays: [(Self.marchEnd - 2, Self.marchEnd)],
            hasEarlierMonths: true
        )
        let whole = CustomerUpdate(
            crm: 9,
            productGroup: "tolls",
            contractStartDay: nil,
            fromMonth: march.month,
            months: [march],
            activeDays: [nil],
            hasEarlierMonths: false
        )
        var partial = whole
        partial.crm = 10
        partial.hasEarlierMonths = true
        let skipped = book.apply([update, whole, partial])
        #expect(skipped.map(\.crm) == [10])
        #expect(book.count == 2)
        #expect(book.contains(crm: 9, productGroup: "tolls"))
        let after = try #require(try book.features(crm: 4711, productGroup: "fuel_cards"))
        #expect(after != before, "derived again from the new March")
        #expect(after[0] == 0, "the last activity is the scoring day now")
        #expect(book.history(crm: 4711, productGroup: "fuel_cards")?.history.months.count == customer.months.count)
    }

    @Test("a full reload replaces the book but keeps what was applied after its mark")
    func replaceAllKeepsNewerChanges() throws {
        let book = try CustomerBook(
            customers: [Self.customer(crm: 1), Self.customer(crm: 2), Self.customer(crm: 3)],
            scoringDay: .fixed(Self.marchEnd)
        )
        let mark = book.changeMark
        // Applied while the reload read the database: newer than what the reload read.
        var march = Self.customer(crm: 2).months.last!
        march.netRevenue = 123_456
        book.apply([
            CustomerUpdate(
                crm: 2,
                productGroup: "fuel_cards",
                contractStartDay: nil,
                fromMonth: march.month,
                months: [march],
                activeDays: [nil],
                hasEarlierMonths: true
            )
        ])
        #expect(book.changeMark > mark)
        var reloadedOne = Self.customer(crm: 1)
        reloadedOne.months[reloadedOne.months.count - 1].netRevenue = 7
        let refused = book.replaceAll(
            with: [reloadedOne, Self.customer(crm: 2), Self.customer(crm: 4)],
            keepingChangesAfter: mark
        )
        #expect(refused.isEmpty)
        #expect(book.count == 3, "3 was no longer stored; 4 is new")
        #expect(!book.contains(crm: 3, productGroup: "fuel_cards"))
        #expect(book.history(crm: 1, productGroup: "fuel_cards")?.history.months.last?.netRevenue == 7)
        #expect(book.history(crm: 2, productGroup: "fuel_cards")?.history.months.last?.netRevenue == 123_456)
        #expect(book.contains(crm: 4, productGroup: "fuel_cards"))
    }

    @Test("a reload after a replace of every history discards what was applied at older versions, then and later")
    func replaceAllDiscardsWhatTheReplaceSuperseded() throws {
        func versioned(_ customer: CustomerBook.Customer, _ version: Int64) -> CustomerBook.Customer {
            var customer = customer
            customer.version = version
            return customer
        }
        func update(crm: UInt64, month: MonthlyActivity, version: Int64, whole: Bool = false) -> CustomerUpdate {
            var update = CustomerUpdate(
                crm: crm,
                productGroup: "fuel_cards",
                contractStartDay: nil,
                fromMonth: month.month,
                months: [month],
                activeDays: [nil],
                hasEarlierMonths: !whole
            )
            update.version = version
            return update
        }
        let book = try CustomerBook(
            customers: [1, 2, 3].map { versioned(Self.customer(crm: $0), 5) },
            scoringDay: .fixed(Self.marchEnd)
        )
        let mark = book.changeMark
        let april = MonthlyActivity(year: 2026, month: 4, netRevenue: 44)
        var march = Self.customer().months[6]
        march.netRevenue = 1_111
        // Applied during the reload: commits from before the replace (generation 10), which
        // removed April and customers 3 and 9, and one from after it (version 11).
        book.apply([
            update(crm: 2, month: april, version: 6),
            update(crm: 3, month: april, version: 6),
            update(crm: 9, month: april, version: 6, whole: true),
            update(crm: 1, month: march, version: 11),
        ])
        #expect(book.count == 4 && book.stored(crm: 2, productGroup: "fuel_cards")?.months.last?.month == april.month)
        var replacedOne = versioned(Self.customer(crm: 1), 10)
        replacedOne.months[5].netRevenue = 7
        let refused = book.replaceAll(
            with: [replacedOne, versioned(Self.customer(crm: 2), 10)],
            keepingChangesAfter: mark,
            discardingVersionsBelow: 10
        )
        #expect(refused.isEmpty)
        #expect(book.count == 2, "3 and 9 were removed by the replace")
        let one = try #require(book.stored(crm: 1, productGroup: "fuel_cards"))
        #expect(one.months.map(\.netRevenue).suffix(2) == [7, 1_111], "the replace's February, the later March")
        #expect(one.version == 11)
        #expect(
            book.stored(crm: 2, productGroup: "fuel_cards")?.months.map(\.month)
                == Self.customer(crm: 2).months.map(\.month),
            "April, of a commit before the replace, is gone"
        )
        // An older update that reaches the book late is superseded too; a newer one applies.
        #expect(book.apply([update(crm: 2, month: april, version: 7)]).isEmpty)
        #expect(book.stored(crm: 2, productGroup: "fuel_cards")?.months.last?.month == march.month)
        book.apply([update(crm: 2, month: april, version: 12)])
        #expect(book.stored(crm: 2, productGroup: "fuel_cards")?.months.last?.netRevenue == 44)
    }

    @Test("latest-activity is fixed at each load of every history, and features follow the day")
    func latestActivityMovesWithAReload() throws {
        let book = try CustomerBook(customers: [Self.customer(crm: 1)], scoringDay: .latestActivity)
        let lastActive = Self.customer().activeDays.last!!.last
        #expect(book.scoringDay == .fixed(lastActive))
        let before = try #require(try book.features(crm: 1, productGroup: "fuel_cards"))
        // The new histories run a month longer.
        var longer = Self.customer(crm: 1)
        longer.months.append(MonthlyActivity(year: 2026, month: 4, netRevenue: 500, kagCount: 6))
        longer.activeDays.append((lastActive + 20, lastActive + 25))
        book.replaceAll(with: [longer], keepingChangesAfter: book.changeMark)
        #expect(book.scoringDay == .fixed(lastActive + 25))
        let after = try #require(try book.features(crm: 1, productGroup: "fuel_cards"))
        #expect(after != before, "derived again as of the new day")
        #expect(book.history(crm: 1, productGroup: "fuel_cards")?.day == lastActive + 25)
        // A fixed day stays fixed.
        let fixed = try CustomerBook(customers: [Self.customer(crm: 1)], scoringDay: .fixed(Self.marchEnd))
        fixed.replaceAll(with: [longer], keepingChangesAfter: fixed.changeMark)
        #expect(fixed.scoringDay == .fixed(Self.marchEnd))
    }

    @Test("updates applied in either order leave each month at the latest version that changed it")
    func updatesCommuteByVersion() throws {
        let customer = Self.customer()
        let months = customer.months
        // Version 2 changed January and everything after it (a KAG change); version 3 only March,
        // and added April. A scorer may get them in either order: its own commit's update and
        // another scorer's, read by its follower.
        var two = CustomerUpdate(
            crm: 4711,
            productGroup: "fuel_cards",
            contractStartDay: customer.contractStartDay,
            fromMonth: months[4].month,
            months: Array(months[4...]).map {
                var month = $0
                month.kagCount += 5
                return month
            },
            activeDays: Array(customer.activeDays[4...]),
            hasEarlierMonths: true
        )
        two.version = 2
        var march = months[6]
        march.kagCount += 5
        march.netRevenue = 99
        var april = MonthlyActivity(year: 2026, month: 4, netRevenue: 7, kagCount: march.kagCount)
        april.complaints = 1
        var three = CustomerUpdate(
            crm: 4711,
            productGroup: "fuel_cards",
            contractStartDay: CivilDate.days(year: 2023, month: 1, day: 1),
            fromMonth: march.month,
            months: [march, april],
            activeDays: [customer.activeDays[6], nil],
            hasEarlierMonths: true
        )
        three.version = 3
        var results: [StoredCustomer] = []
        for order in [[two, three], [three, two]] {
            let book = try CustomerBook(customers: [customer], scoringDay: .fixed(Self.marchEnd))
            for update in order { #expect(book.apply([update]).isEmpty) }
            results.append(try #require(book.stored(crm: 4711, productGroup: "fuel_cards")))
        }
        for result in results {
            #expect(
                result.months.map(\.kagCount) == months.prefix(4).map(\.kagCount) + months[4...].map { $0.kagCount + 5 }
                    + [march.kagCount]
            )
            #expect(result.months.map(\.netRevenue).suffix(2) == [99, 7], "version 3's March and April")
            #expect(result.contractStartDay == CivilDate.days(year: 2023, month: 1, day: 1), "version 3's")
            #expect(result.version == 3)
        }
        // An update older than what is held changes nothing.
        let book = try CustomerBook(customers: [customer], scoringDay: .fixed(Self.marchEnd))
        book.apply([three])
        var stale = three
        stale.version = 1
        stale.months[0].netRevenue = -1
        book.apply([stale])
        #expect(book.stored(crm: 4711, productGroup: "fuel_cards")?.months[6].netRevenue == 99)
    }
}
