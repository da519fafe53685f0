/// One customer's stored months with what applying events to them needs beyond a
/// ``StoredCustomer``: how many surveys each month's satisfaction is the mean of.
///
/// How an ``Activity`` changes its month (the month of its UTC day; a month not held yet is added,
/// in order, carrying the KAG in use of the month before it):
/// - purchase: net revenue + amount; return: returns + amount and net revenue − amount;
///   discount: discounts + amount;
/// - complaint, call-center contact: + 1;
/// - satisfaction: the month's mean over one more survey;
/// - KAG change: KAG in use + delta (never below 0) in its month and every later month held, since
///   cards in use stay in use;
/// - contract start: the contract start becomes the event's day (no month is added);
/// - purchases and returns make the day an active day (``Activity/Kind/countsAsActivity``).
public struct CustomerMonths: Sendable {
    /// One month as stored.
    public struct Month: Sendable {
        public var activity: MonthlyActivity
        /// Its first and last active day; nil when it had events but no activity.
        public var activeDays: (first: Int, last: Int)?
        /// Survey answers the satisfaction is the mean of (0 when it is NaN).
        public var surveys: Int

        public init(activity: MonthlyActivity, activeDays: (first: Int, last: Int)?, surveys: Int) {
            self.activity = activity
            self.activeDays = activeDays
            self.surveys = surveys
        }
    }

    public var crm: UInt64
    public var productGroup: String
    /// Days since 1970-01-01 the contract started, or nil if unknown.
    public var contractStartDay: Int?
    /// Ascending, each month at most once: the whole history, or its months from some month on.
    public var months: [Month]
    /// KAG in use before the first of ``months``: what a month added before them carries
    /// (0 when the customer has no earlier month).
    public var kagBeforeFirstMonth: Double

    public init(
        crm: UInt64,
        productGroup: String,
        contractStartDay: Int? = nil,
        months: [Month] = [],
        kagBeforeFirstMonth: Double = 0
    ) {
        self.crm = crm
        self.productGroup = productGroup
        self.contractStartDay = contractStartDay
        self.months = months
        self.kagBeforeFirstMonth = kagBeforeFirstMonth
    }

    /// These months as an update of a held history, from `fromMonth` on.
    public func update(fromMonth: Int, hasEarlierMonths: Bool) -> CustomerUpdate {
        CustomerUpdate(
            crm: self.crm,
            productGroup: self.productGroup,
            contractStartDay: self.contractStartDay,
            fromMonth: fromMonth,
            months: self.months.map(\.activity),
            activeDays: self.months.map(\.activeDays),
            hasEarlierMonths: hasEarlierMonths
        )
    }

    /// The customer as scorers hold it.
    public var stored: StoredCustomer {
        StoredCustomer(
            crm: self.crm,
            productGroup: self.productGroup,
            contractStartDay: self.contractStartDay,
            months: self.months.map(\.activity),
            activeDays: self.months.map(\.activeDays)
        )
    }

    /// Applies one event of this customer (see the type's rules).
    ///
    /// - Precondition: the event is this customer's.
    public mutating func apply(_ event: Activity) {
        precondition(event.crm == self.crm && event.productGroup == self.productGroup, "another customer's event")
        let day = event.day
        if event.kind == .contractStart {
            self.contractStartDay = day
            return
        }
        let index = self.monthIndex(for: CivilDate(days: day).monthIndex)
        switch event.kind {
        case .purchase:
            self.months[index].activity.netRevenue += event.amount
        case .return:
            self.months[index].activity.returns += event.amount
            self.months[index].activity.netRevenue -= event.amount
        case .discount:
            self.months[index].activity.discounts += event.amount
        case .complaint:
            self.months[index].activity.complaints += 1
        case .callCenterContact:
            self.months[index].activity.callCenterContacts += 1
        case .satisfaction:
            // A mean stored without its count (a history loaded before counts were kept) counts once.
            let month = self.months[index]
            let prior = month.activity.satisfaction.isNaN ? 0 : max(month.surveys, 1)
            let sum = prior > 0 ? month.activity.satisfaction * Double(prior) : 0
            self.months[index].activity.satisfaction = (sum + event.amount) / Double(prior + 1)
            self.months[index].surveys = prior + 1
        case .kagChange:
            for later in index..<self.months.count {
                self.months[later].activity.kagCount = max(
                    0,
                    self.months[later].activity.kagCount + Double(event.kagDelta)
                )
            }
        case .contractStart:
            break
        }
        if event.kind.countsAsActivity {
            let days = self.months[index].activeDays
            self.months[index].activeDays = (min(days?.first ?? day, day), max(days?.last ?? day, day))
        }
    }

    /// The position of `month`, added (empty, carrying the KAG in use before it) if not held.
    private mutating func monthIndex(for month: Int) -> Int {
        let position = self.months.firstIndex { $0.activity.month >= month } ?? self.months.count
        if position < self.months.count, self.months[position].activity.month == month { return position }
        var activity = MonthlyActivity(
            year: 0,
            month: 1,
            kagCount: position > 0 ? self.months[position - 1].activity.kagCount : self.kagBeforeFirstMonth
        )
        activity.month = month
        self.months.insert(Month(activity: activity, activeDays: nil, surveys: 0), at: position)
        return position
    }
}
