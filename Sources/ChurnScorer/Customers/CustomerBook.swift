public import ChurnModel
internal import NIOConcurrencyHelpers

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
        /// The day `features` were derived as of; `Int.min` before the first call.
        var derivedDay = Int.min
        var features: [Double] = []
        /// The ``changeMark`` of the change that stored it (0: loaded).
        var stamp: UInt64 = 0
    }

    /// The day features are derived as of: `.today`, or a fixed day (`.latestActivity` is
    /// fixed to the latest active day of the customers when the book is made; with no customers,
    /// to today).
    public let scoringDay: ScoringDay
    /// How features are derived (``FeatureDerivation/schema`` is their order).
    public let derivation: FeatureDerivation
    /// How many customers (CRM number and product group) the book holds.
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
            guard entries.updateValue(Entry(customer: customer), forKey: key) == nil else {
                throw ModelError(.invalidHistory, "customer \(customer.crm) in \(customer.productGroup) appears twice")
            }
        }
        if scoringDay == .latestActivity {
            let latest = customers.lazy.compactMap { $0.activeDays.lazy.compactMap { $0?.last }.max() }.max() ?? today()
            self.scoringDay = .fixed(latest)
        } else {
            self.scoringDay = scoringDay
        }
        self.derivation = derivation
        self.today = today
        self.entries = NIOLockedValueBox(entries)
    }

    /// Changes applied so far, counted; `replaceAll(with:keepingChangesAfter:)` keeps what was
    /// applied after the mark it is given.
    public var changeMark: UInt64 { self.changes.withLockedValue { $0 } }
    private let changes = NIOLockedValueBox<UInt64>(0)
    /// Held by ``apply(_:)`` and ``replaceAll(with:keepingChangesAfter:)`` for their whole work,
    /// so that changes made outside the entries' lock do not overwrite each other.
    private let applying = NIOLock()

    /// Replaces every held history with `customers` (a fresh load), except those changed by
    /// ``apply(_:)`` after `mark` (taken before the load began), which are newer than the load.
    ///
    /// - Returns: the customers refused (histories the book cannot serve from), by key.
    @discardableResult
    public func replaceAll(with customers: [Customer], keepingChangesAfter mark: UInt64) -> [String] {
        var fresh: [Key: Entry] = [:]
        fresh.reserveCapacity(customers.count)
        var refused: [String] = []
        for customer in customers {
            guard (try? Self.check(customer)) != nil else {
                refused.append("\(customer.crm) \(customer.productGroup)")
                continue
            }
            fresh[Key(crm: customer.crm, productGroup: customer.productGroup)] = Entry(customer: customer)
        }
        self.applying.withLock {
            self.entries.withLockedValue { entries in
                for (key, entry) in entries where entry.stamp > mark { fresh[key] = entry }
                entries = fresh
            }
        }
        return refused
    }

    /// How many customers (CRM number and product group) the book holds.
    public var count: Int { self.entries.withLockedValue { $0.count } }

    /// Applies what a commit of ingested events changed (``CustomerUpdate``): each customer's
    /// months from the update's first month on are replaced, and a customer not held yet is added
    /// when the update is its whole history. Features are derived again at the next call.
    ///
    /// - Returns: the updates not applied: of customers the book does not hold whose earlier
    ///   months it does not know (stored after it loaded; it learns them at its next load), or
    ///   that would make a history the book cannot serve from.
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
        let held = self.entries.withLockedValue { entries in keys.map { entries[$0]?.customer } }
        var skipped: [CustomerUpdate] = []
        var applied: [(Key, Customer)] = []
        for (index, update) in updates.enumerated() {
            guard let customer = update.applied(to: held[index]), (try? Self.check(customer)) != nil else {
                skipped.append(update)
                continue
            }
            applied.append((keys[index], customer))
        }
        self.entries.withLockedValue { entries in
            let stamp = self.changes.withLockedValue { count in
                count += 1
                return count
            }
            for (key, customer) in applied { entries[key] = Entry(customer: customer, stamp: stamp) }
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

    /// Whether the book holds the customer.
    public func contains(crm: UInt64, productGroup: String) -> Bool {
        self.entries.withLockedValue { $0[Key(crm: crm, productGroup: productGroup)] != nil }
    }
}
