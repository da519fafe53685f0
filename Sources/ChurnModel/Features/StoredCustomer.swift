/// One customer in one product group as stored (`customer_months`) and held by scorers: its
/// months and each month's first and last active day, which is all features and labels read.
///
/// A month can have no active day: one whose only events were complaints, call-center contacts,
/// surveys or discounts (``Activity/Kind/countsAsActivity``), which are not the customer buying.
public struct StoredCustomer: Sendable {
    public var crm: UInt64
    public var productGroup: String
    /// Days since 1970-01-01 (UTC) the contract started, or nil if unknown.
    public var contractStartDay: Int?
    /// Ascending, each month at most once.
    public var months: [MonthlyActivity]
    /// Per month: its first and last active day (days since 1970-01-01); nil for a month with
    /// events but no activity.
    public var activeDays: [(first: Int, last: Int)?]
    /// The customer's version in the database when it was read (`customer_versions`: one more
    /// per commit of ingested events that changed it, and a new generation, above every version
    /// before, at each replace of every history); 0 when unknown (such as a history read from a
    /// file). Not archived.
    public var version: Int64 = 0

    public init(
        crm: UInt64,
        productGroup: String,
        contractStartDay: Int?,
        months: [MonthlyActivity],
        activeDays: [(first: Int, last: Int)?]
    ) {
        self.crm = crm
        self.productGroup = productGroup
        self.contractStartDay = contractStartDay
        self.months = months
        self.activeDays = activeDays
    }

    /// What was known of the customer at the end of `day`: its months up to the day's month (that
    /// month counts whole), the last active day on or before the day (a month that runs past the
    /// day is known to reach its first active day), and the contract start if it has begun.
    public func history(asOfDay day: Int) -> CustomerHistory {
        let current = CivilDate(days: day).monthIndex
        var months: [MonthlyActivity] = []
        months.reserveCapacity(self.months.count)
        var lastActivity: Int?
        for (month, days) in zip(self.months, self.activeDays) where month.month <= current {
            months.append(month)
            guard let days else { continue }
            let last = days.last <= day ? days.last : days.first <= day ? days.first : nil
            if let last { lastActivity = max(lastActivity ?? last, last) }
        }
        return CustomerHistory(
            months: months,
            lastActivityDay: lastActivity,
            contractStartDay: self.contractStartDay.flatMap { $0 <= day ? $0 : nil }
        )
    }
}
