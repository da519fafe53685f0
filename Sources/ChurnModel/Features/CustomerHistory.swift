/// What the scorer knows of one customer in one product group: monthly activity and two dates.
public struct CustomerHistory: Sendable, Hashable {
    /// Months in ascending order, each at most once (gaps are months without activity).
    public var months: [MonthlyActivity]
    /// Days since 1970-01-01 (UTC) of the last activity, or nil if none is known.
    public var lastActivityDay: Int?
    /// Days since 1970-01-01 (UTC) the contract started, or nil if unknown.
    public var contractStartDay: Int?

    public init(months: [MonthlyActivity], lastActivityDay: Int? = nil, contractStartDay: Int? = nil) {
        self.months = months
        self.lastActivityDay = lastActivityDay
        self.contractStartDay = contractStartDay
    }
}
