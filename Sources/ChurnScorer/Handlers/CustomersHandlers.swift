internal import ChurnModel
public import ChurnTransport
public import ChurnWire

/// The `churn.v1.Customers` methods, for account managers and analysts: a customer's monthly
/// trend from the history the scorer holds (``CustomerBook``). They run inline on the event loop.
public struct CustomersHandlers: Sendable {
    /// The histories answered from; nil: none held, so every call gets `NOT_FOUND`.
    public let customers: CustomerBook?
    /// The most months one call may ask for.
    public static let maxMonths = 120

    /// Makes the handlers.
    public init(customers: CustomerBook?) {
        self.customers = customers
    }

    /// `Trend`: the calendar months up to the scoring day's month (12 unless `months` says), oldest
    /// first, months without activity included as zeros; the last activity and contract start;
    /// the 3-month revenue and KAG changes as the model sees them (NaN with under six months of
    /// history).
    ///
    /// - Throws: ``RPCError`` `invalidArgument` (field `months`) for more than ``maxMonths``;
    ///   `notFound` (field `crm`) when the scorer holds no history of the customer in that product
    ///   group, or none at all.
    public func trend(_ request: TrendRequest, context: RPCContext) throws(RPCError) -> TrendResponse {
        guard request.months <= Self.maxMonths else {
            throw RPCError(.invalidArgument, "months is \(request.months), at most \(Self.maxMonths)", field: "months")
        }
        guard let book = self.customers else {
            throw RPCError(
                .notFound,
                "this scorer holds no customer histories (it loads them with --customers-from-database)",
                field: "crm"
            )
        }
        guard let (history, day) = book.history(crm: request.crm, productGroup: request.productGroup) else {
            throw RPCError(
                .notFound,
                "this scorer holds no history of customer \(request.crm) in product group '\(request.productGroup)'",
                field: "crm"
            )
        }
        let features: [Double]?
        do {
            features = try book.features(crm: request.crm, productGroup: request.productGroup)
        } catch {
            throw RPCError(.internal, "customer \(request.crm) in '\(request.productGroup)': \(error.message)")
        }
        let current = CivilDate(days: day).monthIndex
        let count = request.months == 0 ? 12 : Int(request.months)
        var stored = history.months.makeIterator()
        var next = stored.next()
        var months: [ChurnWire.MonthlyActivity] = []
        months.reserveCapacity(count)
        for index in (current - count + 1)...current {
            while let month = next, month.month < index { next = stored.next() }
            let activity = next.flatMap { $0.month == index ? $0 : nil }
            months.append(
                ChurnWire.MonthlyActivity(
                    yearMonth: UInt32(index / 12 * 100 + index % 12 + 1),
                    netRevenue: activity?.netRevenue ?? 0,
                    kagCount: Self.count(activity?.kagCount),
                    discounts: activity?.discounts ?? 0,
                    returns: activity?.returns ?? 0,
                    complaints: Self.count(activity?.complaints),
                    satisfaction: activity.flatMap { $0.satisfaction.isNaN ? nil : $0.satisfaction },
                    callCenterContacts: Self.count(activity?.callCenterContacts)
                )
            )
        }
        let schema = FeatureDerivation.schema
        return TrendResponse(
            crm: request.crm,
            productGroup: request.productGroup,
            months: months,
            lastActivityMs: history.lastActivityDay.map { Int64($0) * 86_400_000 } ?? 0,
            contractStartMs: history.contractStartDay.map { Int64($0) * 86_400_000 } ?? 0,
            revenueChange3m: features.map { $0[schema.index(of: "revenue_change_3m")!] } ?? .nan,
            kagChange3m: features.map { $0[schema.index(of: "kag_change_3m")!] } ?? .nan
        )
    }

    /// A stored count (a float64 in the history) as the wire's unsigned count.
    private static func count(_ value: Double?) -> UInt32 {
        guard let value, value.isFinite, value > 0 else { return 0 }
        return UInt32(min(value.rounded(), Double(UInt32.max)))
    }
}
