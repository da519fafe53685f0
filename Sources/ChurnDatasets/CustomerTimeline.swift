public import ChurnModel

/// Everything known of one customer (CRM number, product group) over a data set's time span:
/// its monthly aggregates and the days on which it was active. Labels and features are both cut
/// from it at a chosen day, so nothing after that day can leak into the features.
public struct CustomerTimeline: Sendable, Hashable {
    public var crm: UInt64
    public var productGroup: String
    /// Days since 1970-01-01 (UTC) the contract started, or nil if unknown.
    public var contractStartDay: Int?
    /// Monthly aggregates, ascending, each month at most once.
    public var months: [MonthlyActivity]
    /// Days with activity (a transaction, a card used), ascending and distinct.
    public var activityDays: [Int]

    public init(
        crm: UInt64,
        productGroup: String,
        contractStartDay: Int?,
        months: [MonthlyActivity],
        activityDays: [Int]
    ) {
        self.crm = crm
        self.productGroup = productGroup
        self.contractStartDay = contractStartDay
        self.months = months
        self.activityDays = activityDays
    }

    /// The history as the scorer would have known it at the end of `day`.
    public func history(asOfDay day: Int) -> CustomerHistory {
        let month = CivilDate(days: day).monthIndex
        return CustomerHistory(
            months: self.months.filter { $0.month <= month },
            lastActivityDay: self.lastActivity(onOrBefore: day),
            contractStartDay: self.contractStartDay
        )
    }

    /// The last active day on or before `day`.
    public func lastActivity(onOrBefore day: Int) -> Int? {
        // Binary search: the first activity day after `day`, then one back.
        let after = self.firstIndex(after: day)
        return after > 0 ? self.activityDays[after - 1] : nil
    }

    /// Whether there is any activity in `(day, day + days]`.
    public func isActive(after day: Int, within days: Int) -> Bool {
        let after = self.firstIndex(after: day)
        return after < self.activityDays.count && self.activityDays[after] <= day + days
    }

    private func firstIndex(after day: Int) -> Int {
        var low = 0
        var high = self.activityDays.count
        while low < high {
            let middle = (low + high) / 2
            if self.activityDays[middle] <= day { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
