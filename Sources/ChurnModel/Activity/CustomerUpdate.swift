/// What a commit of ingested events changed of one customer: its months from ``fromMonth`` on, as
/// now stored, and its contract start. A scorer replaces those months of the history it holds and
/// keeps the earlier ones, which the events did not touch.
public struct CustomerUpdate: Sendable {
    public var crm: UInt64
    public var productGroup: String
    /// Days since 1970-01-01 the contract started, or nil if unknown.
    public var contractStartDay: Int?
    /// The first month replaced (a month index); `Int.max` when no month changed (a contract start
    /// alone).
    public var fromMonth: Int
    /// The customer's months from ``fromMonth`` on, ascending.
    public var months: [MonthlyActivity]
    /// Per month: its first and last active day, or nil.
    public var activeDays: [(first: Int, last: Int)?]
    /// Whether the customer has stored months before ``fromMonth``.
    public var hasEarlierMonths: Bool

    public init(
        crm: UInt64,
        productGroup: String,
        contractStartDay: Int?,
        fromMonth: Int,
        months: [MonthlyActivity],
        activeDays: [(first: Int, last: Int)?],
        hasEarlierMonths: Bool
    ) {
        self.crm = crm
        self.productGroup = productGroup
        self.contractStartDay = contractStartDay
        self.fromMonth = fromMonth
        self.months = months
        self.activeDays = activeDays
        self.hasEarlierMonths = hasEarlierMonths
    }

    /// The held customer with this update: its months before ``fromMonth``, then the update's.
    /// With no customer held, the update alone when it is the whole history; nil when the
    /// customer has earlier months the holder lacks (it learns them when it loads the histories
    /// again).
    public func applied(to held: StoredCustomer?) -> StoredCustomer? {
        guard let held else {
            guard !self.hasEarlierMonths else { return nil }
            return StoredCustomer(
                crm: self.crm,
                productGroup: self.productGroup,
                contractStartDay: self.contractStartDay,
                months: self.months,
                activeDays: self.activeDays
            )
        }
        let kept = held.months.prefix { $0.month < self.fromMonth }.count
        return StoredCustomer(
            crm: self.crm,
            productGroup: self.productGroup,
            contractStartDay: self.contractStartDay,
            months: Array(held.months.prefix(kept)) + self.months,
            activeDays: Array(held.activeDays.prefix(kept)) + self.activeDays
        )
    }
}
