public import ChurnModel
internal import NIOConcurrencyHelpers
internal import Synchronization

/// The customer histories a scorer holds in memory, by CRM number and product group, so that a
/// caller can score a customer by its CRM number alone. Features are derived from a history as of
/// the ``ScoringDay`` once per customer and day, then served from memory: after the first call of
/// a day, a lookup is a hash-table read under a lock and allocates nothing.
///
/// What a history holds as of a day: its months up to the day's month (that month counts whole),
/// the last active day on or before the day, and the contract start if it has begun. Loaded from
/// PostgreSQL's `customer_months` at start (`churnguard scorer --customers-from-database`), and
/// kept current by ``update(_:)`` as ingested events are committed.
///
/// ```swift
/// let book = try CustomerBook(customers: stored, scoringDay: .today)
/// if let row = try book.features(crm: 100_001, productGroup: "fuel_cards") { … }
/// ```
public final class CustomerBook: Sendable {
    /// One customer in one product group, as stored.
    public typealias Customer = StoredCustomer

    struct Key: Hashable {
        var crm: UInt64
        var productGroup: String
    }

    struct Entry {
        var customer: Customer
        /// Per month: the customer's version it was stored from (see
        /// ``CustomerUpdate/merged(into:monthVersions:)``); empty when every month is of the
        /// customer's version (as loaded: no memory per month for the many never updated).
        var monthVersions: [Int64]
        /// The day `features` were derived as of; `Int.min` before the first call.
        var derivedDay = Int.min
        var features: [Double] = []
        /// The ``changeMark`` of the change that stored it (0: loaded).
        var stamp: UInt64 = 0

        /// A customer as loaded: every month of its version.
        init(loaded customer: Customer) {
            self.customer = customer
            self.monthVersions = []
        }

        init(customer: Customer, monthVersions: [Int64], stamp: UInt64) {
            self.customer = customer
            self.monthVersions = monthVersions
            self.stamp = stamp
        }
    }

    /// The day features are derived as of: `.today`, or a fixed day (`.latestActivity` is
    /// fixed to the latest active day of the customers when the book is made, and again at each
    /// ``replaceAll(with:keepingChangesAfter:discardingVersionsBelow:)``; with no customers, to
    /// today).
    public var scoringDay: ScoringDay {
        self.configuredDay == .latestActivity
            ? .fixed(self.latestActivityDay.load(ordering: .relaxed)) : self.configuredDay
    }
    /// How features are derived (``FeatureDerivation/schema`` is their order).
    public let derivation: FeatureDerivation
    private let configuredDay: ScoringDay
    /// With `.latestActivity`: the latest active day of the customers last loaded.
    private let latestActivityDay: Synchronization.Atomic<Int>
    private let today: @Sendable () -> Int
    private let entries: NIOLockedValueBox<[Key: Entry]>

    /// Makes a book of `customers`.
    ///
    /// - Parameter today: the current UTC day, for ``ScoringDay/today`` (tests pass their own).
    /// - Throws: ``ModelError/Code/invalidHistory`` naming the customer whose months and active
    ///   days differ in count, whose months are not ascending, whose active days are reversed,
    ///   or who appears twice.
    public init(
        customers: [Customer],
        scoringDay: ScoringDay,
        derivation: FeatureDerivation = FeatureDerivation(),
        today: @escaping @Sendable () -> Int = ScoringDay.currentUTCDay
    ) throws(ModelError) {
        var entries: [Key: Entry] = [:]
        entries.reserveCapacity(customers.count)
        for customer in customers {
            try Self.check(customer)
            let key = Key(crm: customer.crm, productGroup: customer.productGroup)
            guard entries.updateValue(Entry(loaded: customer), forKey: key) == nil else {
                throw ModelError(.invalidHistory, "customer \(customer.crm) in \(customer.productGroup) appears twice")
            }
        }
        self.configuredDay = scoringDay
        self.latestActivityDay = Synchronization.Atomic(
            scoringDay == .latestActivity ? Self.latestActiveDay(of: customers) ?? today() : 0
        )
        self.derivation = derivation
        self.today = today
        self.entries = NIOLockedValueBox(entries)
    }

    /// Changes applied so far, counted; `replaceAll(with:keepingChangesAfter:discardingVersionsBelow:)`
    /// keeps what was applied after the mark it is given.
    public var changeMark: UInt64 { self.changes.withLockedValue { $0 } }
    private let changes = NIOLockedValueBox<UInt64>(0)
    /// Held by ``apply(_:)`` and ``replaceAll(with:keepingChangesAfter:discardingVersionsBelow:)`` for their whole work,
    /// so that changes made outside the entries' lock do not overwrite each other.
    private let applying = NIOLock()
    /// The generation of the last replace of every history loaded: updates of lower versions are
    /// older than it (0: none).
    private let versionFloor = NIOLockedValueBox<Int64>(0)

    /// Replaces every held history with `customers` (a fresh load). Those changed by ``apply(_:)``
    /// after `mark` (taken before the load began) may be newer than the load: for them each month
    /// is kept from whichever holds it at the later version.
    ///
    /// A load after a replace of every history passes the replace's generation as `floor`:
    /// months applied at a lower version are older than the replace, which may have removed
    /// them, so they are discarded (with the customer, when none is left and the load lacks it),
    /// and so are updates of lower versions that ``apply(_:)`` gets from then on.
    ///
    /// - Returns: the customers refused (histories the book cannot serve from), by key.
    @discardableResult
    public func replaceAll(
        with customers: [Customer],
        keepingChangesAfter mark: UInt64,
        discardingVersionsBelow floor: Int64 = 0
    ) -> [String] {
        let latest = self.configuredDay == .latestActivity ? Self.latestActiveDay(of: customers) ?? self.today() : 0
        var fresh: [Key: Entry] = [:]
        fresh.reserveCapacity(customers.count)
        var refused: [String] = []
        for customer in customers {
            guard (try? Self.check(customer)) != nil else {
                refused.append("\(customer.crm) \(customer.productGroup)")
                continue
            }
            fresh[Key(crm: customer.crm, productGroup: customer.productGroup)] = Entry(loaded: customer)
        }
        self.applying.withLock {
            self.entries.withLockedValue { entries in
                for (key, entry) in entries where entry.stamp > mark {
                    guard let kept = Self.discarding(entry, below: floor) else { continue }
                    fresh[key] = fresh[key].map { Self.merge(applied: kept, loaded: $0) } ?? kept
                }
                swap(&entries, &fresh)
            }
            self.versionFloor.withLockedValue { $0 = max($0, floor) }
            self.latestActivityDay.store(latest, ordering: .relaxed)
        }
        // The old entries are freed here, not under the lock that scoring calls take.
        fresh.removeAll()
        return refused
    }

    /// The latest active day of `customers`; nil when none has one.
    private static func latestActiveDay(of customers: [Customer]) -> Int? {
        customers.lazy.compactMap { $0.activeDays.lazy.compactMap { $0?.last }.max() }.max()
    }

    /// `entry` without its months of versions below `floor`; nil when none is left.
    private static func discarding(_ entry: Entry, below floor: Int64) -> Entry? {
        let customer = entry.customer
        if entry.monthVersions.isEmpty { return customer.version >= floor ? entry : nil }
        let kept = entry.monthVersions.indices.filter { entry.monthVersions[$0] >= floor }
        if kept.count == customer.months.count { return entry }
        guard !kept.isEmpty else { return nil }
        var trimmed = Customer(
            crm: customer.crm,
            productGroup: customer.productGroup,
            contractStartDay: customer.contractStartDay,
            months: kept.map { customer.months[$0] },
            activeDays: kept.map { customer.activeDays[$0] }
        )
        trimmed.version = customer.version
        return Entry(customer: trimmed, monthVersions: kept.map { entry.monthVersions[$0] }, stamp: entry.stamp)
    }

    /// A customer applied after a reload's mark and the same customer as reloaded: each month
    /// from whichever holds it at the higher version, the applied one on a tie (applied after the
    /// reload began, it is at least as new).
    private static func merge(applied: Entry, loaded: Entry) -> Entry {
        var months: [MonthlyActivity] = []
        var activeDays: [(first: Int, last: Int)?] = []
        var versions: [Int64] = []
        let (a, b) = (applied.customer, loaded.customer)
        func version(_ entry: Entry, _ index: Int) -> Int64 {
            entry.monthVersions.isEmpty ? entry.customer.version : entry.monthVersions[index]
        }
        var (i, j) = (0, 0)
        while i < a.months.count || j < b.months.count {
            let monthA = i < a.months.count ? a.months[i].month : Int.max
            let monthB = j < b.months.count ? b.months[j].month : Int.max
            let takeA = monthA < monthB || (monthA == monthB && version(applied, i) >= version(loaded, j))
            if takeA {
                months.append(a.months[i])
                activeDays.append(a.activeDays[i])
                versions.append(version(applied, i))
            } else {
                months.append(b.months[j])
                activeDays.append(b.activeDays[j])
                versions.append(version(loaded, j))
            }
            if monthA <= monthB { i += 1 }
            if monthB <= monthA { j += 1 }
        }
        var customer = Customer(
            crm: a.crm,
            productGroup: a.productGroup,
            contractStartDay: a.version >= b.version ? a.contractStartDay : b.contractStartDay,
            months: months,
            activeDays: activeDays
        )
        customer.version = max(a.version, b.version)
        return Entry(customer: customer, monthVersions: versions, stamp: applied.stamp)
    }

    /// How many customers (CRM number and product group) the book holds.
    public var count: Int { self.entries.withLockedValue { $0.count } }

    /// Applies what a commit of ingested events changed (``CustomerUpdate``): each customer's
    /// months from the update's first month on are replaced, unless held from a later version of
    /// the customer (``CustomerUpdate/merged(into:monthVersions:)``: updates may come in any
    /// order), and a customer not held yet is added when the update is its whole history.
    /// Features are derived again at the next call.
    ///
    /// - Returns: the updates not applied: of customers the book does not hold whose earlier
    ///   months it does not know (stored after it loaded; it learns them at its next load), or
    ///   that would make a history the book cannot serve from. Updates older than the last
    ///   replace of every history loaded (see ``replaceAll(with:keepingChangesAfter:discardingVersionsBelow:)``)
    ///   are dropped, not returned: the replace superseded them.
    ///
    /// The new histories are made outside the entries' lock, so that scoring calls wait for it only
    /// while they are stored; appliers (the scorer's writer, its follower of other scorers'
    /// changes) take turns.
    @discardableResult
    public func apply(_ updates: [CustomerUpdate]) -> [CustomerUpdate] {
        self.applying.withLock { self.applyInTurn(updates) }
    }

    private func applyInTurn(_ updates: [CustomerUpdate]) -> [CustomerUpdate] {
        let keys = updates.map { Key(crm: $0.crm, productGroup: $0.productGroup) }
        let held = self.entries.withLockedValue { entries in
            keys.map { key in entries[key].map { ($0.customer, $0.monthVersions) } }
        }
        var skipped: [CustomerUpdate] = []
        var applied: [Key: (customer: Customer, monthVersions: [Int64])] = [:]
        let floor = self.versionFloor.withLockedValue { $0 }
        for (index, update) in updates.enumerated() where update.version >= floor {
            // A customer updated twice in one call: the second merges into the first's result.
            let current = applied[keys[index]] ?? held[index]
            guard let merged = update.merged(into: current?.0, monthVersions: current?.1 ?? []),
                (try? Self.check(merged.customer)) != nil
            else {
                skipped.append(update)
                continue
            }
            applied[keys[index]] = merged
        }
        self.entries.withLockedValue { entries in
            let stamp = self.changes.withLockedValue { count in
                count += 1
                return count
            }
            for (key, merged) in applied {
                entries[key] = Entry(customer: merged.customer, monthVersions: merged.monthVersions, stamp: stamp)
            }
        }
        return skipped
    }

    /// Refuses a history the book cannot serve from.
    private static func check(_ customer: Customer) throws(ModelError) {
        let name = "customer \(customer.crm) in \(customer.productGroup)"
        guard customer.months.count == customer.activeDays.count else {
            throw ModelError(.invalidHistory, "\(name): months and active days differ in count")
        }
        for index in customer.months.indices {
            guard index == 0 || customer.months[index - 1].month < customer.months[index].month else {
                throw ModelError(.invalidHistory, "\(name): months are repeated or out of order")
            }
            if let days = customer.activeDays[index], days.first > days.last {
                throw ModelError(.invalidHistory, "\(name): a month's last active day is before its first")
            }
        }
    }

    /// The features of a customer as of the scoring day, in ``FeatureDerivation/schema``'s
    /// order; nil when the book holds no such customer.
    ///
    /// - Throws: ``ModelError/Code/invalidHistory`` if the history cannot be derived from.
    public func features(crm: UInt64, productGroup: String) throws(ModelError) -> [Double]? {
        let day = self.scoringDay.resolve(today: self.today, latestActivity: Int.min)
        let key = Key(crm: crm, productGroup: productGroup)
        let found: Found = self.entries.withLockedValue { entries in
            guard let entry = entries[key] else { return .nothing }
            return entry.derivedDay == day ? .features(entry.features) : .customer(entry.customer)
        }
        switch found {
        case .nothing:
            return nil
        case .features(let features):
            return features
        case .customer(let customer):
            // Derived outside the lock; two calls racing for the same customer both derive it.
            let features = try self.derivation.features(of: customer.history(asOfDay: day), asOfDay: day)
            self.entries.withLockedValue { entries in
                entries[key]?.derivedDay = day
                entries[key]?.features = features
            }
            return features
        }
    }

    private enum Found {
        case nothing
        case features([Double])
        case customer(Customer)
    }

    /// A customer's history as known at the end of the scoring day, and that day; nil when the
    /// book holds no such customer.
    public func history(crm: UInt64, productGroup: String) -> (history: CustomerHistory, day: Int)? {
        let day = self.scoringDay.resolve(today: self.today, latestActivity: Int.min)
        let key = Key(crm: crm, productGroup: productGroup)
        guard let customer = self.entries.withLockedValue({ $0[key]?.customer }) else { return nil }
        return (customer.history(asOfDay: day), day)
    }

    /// The customer's history as held (every month, whatever the scoring day), with its version.
    public func stored(crm: UInt64, productGroup: String) -> Customer? {
        self.entries.withLockedValue { $0[Key(crm: crm, productGroup: productGroup)]?.customer }
    }

    /// Whether the book holds the customer.
    public func contains(crm: UInt64, productGroup: String) -> Bool {
        self.entries.withLockedValue { $0[Key(crm: crm, productGroup: productGroup)] != nil }
    }
}
