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
    /// The customer's version these months are as of (see ``StoredCustomer/version``); 0 when
    /// unknown, which any held month's version outranks only if it is above 0.
    public var version: Int64 = 0

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

    /// The held customer with this update, month by month by version: a month of the update
    /// replaces the held one unless that one was stored from a later version (`monthVersions`,
    /// parallel to the held months; empty when every month is of the held customer's version), and the contract start is the update's unless the held
    /// customer is of a later version. Returns the merged customer (its version the higher of the
    /// two) and its months' versions; nil when nothing is held and the update is not the whole
    /// history (the holder lacks the earlier months).
    ///
    /// Updates may arrive in any order (a scorer's own commit and another scorer's, read by its
    /// follower): every commit's update holds every month it changed, from its first, so taking
    /// each month at the highest version seen gives the stored history whatever the order, and an
    /// update read before a later one was applied cannot undo it.
    public func merged(
        into held: StoredCustomer?,
        monthVersions: [Int64]
    ) -> (customer: StoredCustomer, monthVersions: [Int64])? {
        guard let held else {
            guard var whole = self.applied(to: nil) else { return nil }
            whole.version = self.version
            return (whole, [])
        }
        var months: [MonthlyActivity] = []
        var activeDays: [(first: Int, last: Int)?] = []
        var versions: [Int64] = []
        months.reserveCapacity(max(held.months.count, self.months.count))
        var heldIndex = 0
        var updateIndex = 0
        while heldIndex < held.months.count || updateIndex < self.months.count {
            let heldMonth = heldIndex < held.months.count ? held.months[heldIndex].month : Int.max
            let updateMonth = updateIndex < self.months.count ? self.months[updateIndex].month : Int.max
            let heldVersion = heldIndex < monthVersions.count ? monthVersions[heldIndex] : held.version
            if heldMonth < updateMonth {
                months.append(held.months[heldIndex])
                activeDays.append(held.activeDays[heldIndex])
                versions.append(heldVersion)
                heldIndex += 1
            } else if updateMonth < heldMonth {
                months.append(self.months[updateIndex])
                activeDays.append(self.activeDays[updateIndex])
                versions.append(self.version)
                updateIndex += 1
            } else if heldVersion > self.version {
                months.append(held.months[heldIndex])
                activeDays.append(held.activeDays[heldIndex])
                versions.append(heldVersion)
                heldIndex += 1
                updateIndex += 1
            } else {
                months.append(self.months[updateIndex])
                activeDays.append(self.activeDays[updateIndex])
                versions.append(self.version)
                heldIndex += 1
                updateIndex += 1
            }
        }
        var customer = StoredCustomer(
            crm: self.crm,
            productGroup: self.productGroup,
            contractStartDay: held.version > self.version ? held.contractStartDay : self.contractStartDay,
            months: months,
            activeDays: activeDays
        )
        customer.version = max(held.version, self.version)
        return (customer, versions)
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
