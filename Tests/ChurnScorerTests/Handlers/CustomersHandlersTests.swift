import ChurnModel
import ChurnScorer
import ChurnTransport
import ChurnWire
import Testing

@Suite("Customers.Trend")
struct CustomersHandlersTests {
    static let context = RPCContext(method: CustomersService.trend.descriptor, deadline: nil, limits: .defaults)
    static let customer = CustomerBookTests.customer()
    static let book = try! CustomerBook(customers: [customer], scoringDay: .fixed(CustomerBookTests.marchEnd))
    static let handlers = CustomersHandlers(customers: book)

    @Test("a trend is the last 12 calendar months, oldest first, months without activity as zeros")
    func twelveMonths() throws {
        let trend = try Self.handlers.trend(
            TrendRequest(crm: 4711, productGroup: "fuel_cards"),
            context: Self.context
        )
        #expect(trend.crm == 4711 && trend.productGroup == "fuel_cards")
        #expect(
            trend.months.map(\.yearMonth) == [202504, 202505, 202506, 202507, 202508] + [
                202509, 202510, 202511, 202512, 202601, 202602, 202603,
            ]
        )
        // April to August 2025: no activity.
        #expect(trend.months.prefix(5).allSatisfy { $0.netRevenue == 0 && $0.kagCount == 0 && $0.satisfaction == nil })
        for (sent, stored) in zip(trend.months.suffix(7), Self.customer.months) {
            #expect(sent.netRevenue == stored.netRevenue)
            #expect(sent.kagCount == UInt32(stored.kagCount))
            #expect(sent.discounts == stored.discounts && sent.returns == stored.returns)
            #expect(sent.complaints == UInt32(stored.complaints))
            #expect(sent.callCenterContacts == UInt32(stored.callCenterContacts))
            #expect(sent.satisfaction == (stored.satisfaction.isNaN ? nil : stored.satisfaction))
        }
        // The last active day, 2026-03-23, and the contract start, as milliseconds.
        #expect(trend.lastActivityMs == Int64(CivilDate.days(year: 2026, month: 3, day: 23)) * 86_400_000)
        #expect(trend.contractStartMs == Int64(Self.customer.contractStartDay!) * 86_400_000)
        // The changes are the model's features.
        let features = try #require(try Self.book.features(crm: 4711, productGroup: "fuel_cards"))
        #expect(trend.revenueChange3m == features[3])
        #expect(trend.kagChange3m == features[4])
        #expect(trend.revenueChange3m < 0)
    }

    @Test("months asks for a shorter or longer window")
    func window() throws {
        let three = try Self.handlers.trend(
            TrendRequest(crm: 4711, productGroup: "fuel_cards", months: 3),
            context: Self.context
        )
        #expect(three.months.map(\.yearMonth) == [202601, 202602, 202603])
        let long = try Self.handlers.trend(
            TrendRequest(crm: 4711, productGroup: "fuel_cards", months: 120),
            context: Self.context
        )
        #expect(long.months.count == 120)
        #expect(long.months.first?.yearMonth == 201604)
    }

    @Test(
        "what cannot be answered gets a typed error",
        arguments: [
            (TrendRequest(crm: 4711, productGroup: "fuel_cards", months: 121), WireStatus.invalidArgument, "months"),
            (TrendRequest(crm: 9, productGroup: "fuel_cards"), WireStatus.notFound, "crm"),
            (TrendRequest(crm: 4711, productGroup: "tolls"), WireStatus.notFound, "crm"),
        ]
    )
    func refused(request: TrendRequest, status: WireStatus, field: String) {
        #expect {
            _ = try Self.handlers.trend(request, context: Self.context)
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.status == status && error.field == field
        }
    }

    @Test("a scorer without histories says so")
    func noHistories() {
        #expect {
            _ = try CustomersHandlers(customers: nil).trend(
                TrendRequest(crm: 4711, productGroup: "fuel_cards"),
                context: Self.context
            )
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.status == .notFound && error.message.contains("holds no customer histories")
        }
    }
}
