public import ChurnModel
public import Logging
public import PostgresNIO

/// Records ingested activity events in PostgreSQL: each event once (`activity_events`, keyed by
/// its id), applied to its customer's months (`customer_months`, by ``CustomerMonths``' rules) in
/// the same transaction, so an event is either recorded and applied or neither.
///
/// Several callers' batches are recorded in one transaction (group commit): the writer of a
/// scorer gathers the batches that arrived while the last commit ran.
///
/// ```swift
/// let ledger = ActivityLedger(client: client, logger: logger)
/// let outcome = try await ledger.record([events])
/// book.apply(outcome.updated)
/// ```
public struct ActivityLedger: Sendable {
    /// What a recording did.
    public struct Outcome: Sendable {
        /// Per batch: its events recorded now.
        public var accepted: [Int]
        /// Per batch: its events recorded before (or earlier in the same recording).
        public var duplicates: [Int]
        /// What the new events changed of each customer, as now stored, then the customers of
        /// events recorded before, as stored from those events' months on (a scorer that
        /// acknowledges a duplicate must serve it, though the commit that recorded it may have
        /// lost its answer). Only the first are notified.
        public var updated: [CustomerUpdate]
    }

    public let client: PostgresClient
    public let logger: Logger
    /// Who records (a scorer's node id), named in the notifications of its commits.
    public let source: String

    /// The channel each commit notifies (``CustomerChanges``), once committed: the first line
    /// names the source, each further line one changed customer as `crm<TAB>first month<TAB>product
    /// group` (the first month as a month index; a payload holds at most about 7,000 bytes, so a
    /// commit may send several). A replace of every history
    /// (``CustomerHistoryStore/replace(with:progress:)``) sends `history replace`, then `*<TAB>`
    /// and its generation.
    public static let channel = "churn_customers"

    /// The advisory locks a commit takes at most: customers share them by a hash of their key.
    static let lockBuckets: Int32 = 1_024
    /// The first key of ChurnGuard's two-key advisory locks ("CGCH"), apart from other users'.
    static let lockNamespace: Int32 = 0x4347_4348

    public init(client: PostgresClient, logger: Logger, source: String = "") {
        self.client = client
        self.logger = logger
        self.source = source
    }

    /// Records `batches` in one transaction. An event whose id is already recorded (or appears
    /// earlier in `batches`) is a duplicate: counted, not applied again (its customer is read
    /// back, see ``Outcome/updated``). A customer's new events
    /// are applied in the order they happened (ties by event id). Customers are locked for the
    /// transaction (advisory locks in a fixed order), so scorers recording at once do not lose
    /// each other's changes.
    ///
    /// - Throws: ``RegistryError/Code/unavailable`` when the database fails: nothing of any
    ///   batch is recorded then.
    public func record(_ batches: [[Activity]]) async throws(RegistryError) -> Outcome {
        // The first occurrence of each id is a candidate; later ones are duplicates already.
        var outcome = Outcome(
            accepted: Array(repeating: 0, count: batches.count),
            duplicates: Array(repeating: 0, count: batches.count),
            updated: []
        )
        var seen = Set<String>()
        var candidates: [(batch: Int, event: Activity)] = []
        for (batch, events) in batches.enumerated() {
            for event in events {
                if seen.insert(event.eventID).inserted {
                    candidates.append((batch, event))
                } else {
                    outcome.duplicates[batch] += 1
                }
            }
        }
        guard !candidates.isEmpty else { return outcome }
        // In id order: two commits in flight that insert some of the same ids (a retry while the
        // first try still commits) wait for each other in one order, never in a cycle.
        candidates.sort { $0.event.eventID < $1.event.eventID }
        let events = candidates.map(\.event)
        do {
            // Given up when the connection closes: the ROLLBACK after a statement failed by a
            // database restart would otherwise never be answered (ConnectionLossRace).
            let (fresh, updated) = try await self.client.withTransactionEndingAtClose(
                "recording activity events",
                logger: self.logger
            ) { connection in
                let fresh = try await self.insertNew(events, on: connection)
                let applied = events.filter { fresh.contains($0.eventID) }
                let recordedBefore = events.filter { !fresh.contains($0.eventID) }
                // The customers of both are locked at once, in one order: no deadlock.
                let changed = try await self.apply(applied, alsoLocking: recordedBefore, on: connection)
                let stored = try await self.stored(
                    recordedBefore,
                    besides: changed,
                    locked: !applied.isEmpty,
                    on: connection
                )
                return (fresh, changed + stored)
            }
            for (batch, event) in candidates {
                if fresh.contains(event.eventID) {
                    outcome.accepted[batch] += 1
                } else {
                    outcome.duplicates[batch] += 1
                }
            }
            outcome.updated = updated
        } catch {
            throw RegistryError.wrapping(error, "recording activity events")
        }
        return outcome
    }

    /// The customers of events recorded before, as stored from their earliest such event's month on
    /// (those `changed` now aside, whose updates hold them already). A duplicate is usually a
    /// retry whose first answer was lost: its commit may have landed without its scorer ever
    /// updating its histories, and a scorer that acknowledges an event must serve it. Read under
    /// the customers' locks, so months and version agree; nothing is written or notified.
    private func stored(
        _ recordedBefore: [Activity],
        besides changed: [CustomerUpdate],
        locked: Bool,
        on connection: PostgresConnection
    ) async throws -> [CustomerUpdate] {
        let done = Set(changed.map { "\($0.crm)|\($0.productGroup)" })
        let noMonth = MonthlyActivity.monthIndex(year: 9999, month: 12)
        var since: [String: (crm: UInt64, group: String, month: Int)] = [:]
        for event in recordedBefore where !done.contains("\(event.crm)|\(event.productGroup)") {
            let month = event.kind == .contractStart ? noMonth : CivilDate(days: event.day).monthIndex
            let key = "\(event.crm)|\(event.productGroup)"
            since[key] = (event.crm, event.productGroup, min(month, since[key]?.month ?? noMonth))
        }
        guard !since.isEmpty else { return [] }
        let customers = since.values.sorted { ($0.crm, $0.group) < ($1.crm, $1.group) }
        let crms = customers.map { Int64(bitPattern: $0.crm) }
        let groups = customers.map(\.group)
        if !locked {
            try await connection.perform(
                """
                SELECT count(pg_advisory_xact_lock(\(Self.lockNamespace), bucket)) FROM (
                    SELECT DISTINCT (hashtextextended(grp, crm) & \(Self.lockBuckets - 1))::int AS bucket
                    FROM unnest(\(crms)::bigint[], \(groups)::text[]) AS t(crm, grp) ORDER BY bucket) AS buckets
                """,
                logger: self.logger
            )
        }
        let read = try await CustomerHistoryStore.months(
            crms: crms,
            productGroups: groups,
            since: customers.map(\.month),
            on: connection,
            logger: self.logger
        )
        return zip(customers, read).map { customer, read in
            var update = read.customer.update(
                fromMonth: customer.month == noMonth ? Int.max : customer.month,
                hasEarlierMonths: read.hasEarlierMonths
            )
            update.version = read.version
            return update
        }
    }

    /// Inserts the events not recorded yet; their ids.
    private func insertNew(_ events: [Activity], on connection: PostgresConnection) async throws -> Set<String> {
        let rows = try await connection.query(
            """
            INSERT INTO activity_events (event_id, crm, product_group, occurred_at, kind, amount, kag_delta)
            SELECT id, crm, grp, to_timestamp(ms / 1000.0), kind, amount, delta
            FROM unnest(\(events.map(\.eventID))::text[], \(events.map { Int64(bitPattern: $0.crm) })::bigint[],
                \(events.map(\.productGroup))::text[], \(events.map(\.occurredAtMilliseconds))::bigint[],
                \(events.map { Int16($0.kind.rawValue) })::smallint[], \(events.map(\.amount))::float8[],
                \(events.map(\.kagDelta))::int[]) AS t(id, crm, grp, ms, kind, amount, delta)
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id
            """,
            logger: self.logger
        )
        var fresh = Set<String>()
        for try await id in rows.decode(String.self) { fresh.insert(id) }
        return fresh
    }

    /// Applies new events to their customers' stored months; what changed of each customer.
    ///
    /// Only the months an event can change are read and rewritten: a customer's months from the
    /// month of its earliest new event on (a KAG change reaches later months too), with the KAG
    /// in use of the month before them and the contract start. The rest of a history stays as
    /// stored, so the work is per event, not per month of history. The customers of `others`
    /// (events recorded before) are locked with them, and not changed.
    private func apply(
        _ events: [Activity],
        alsoLocking others: [Activity],
        on connection: PostgresConnection
    ) async throws -> [CustomerUpdate] {
        guard !events.isEmpty else { return [] }
        struct Key: Hashable, Comparable {
            var crm: UInt64
            var productGroup: String
            static func < (a: Key, b: Key) -> Bool { (a.crm, a.productGroup) < (b.crm, b.productGroup) }
        }
        var byCustomer: [Key: [Activity]] = [:]
        for event in events {
            byCustomer[Key(crm: event.crm, productGroup: event.productGroup), default: []].append(event)
        }
        let keys = byCustomer.keys.sorted()
        let crms = keys.map { Int64(bitPattern: $0.crm) }
        let groups = keys.map(\.productGroup)
        // The first month each customer's events touch; a contract start alone touches none.
        let noMonth = MonthlyActivity.monthIndex(year: 9999, month: 12)
        let since = keys.map { key in
            byCustomer[key]!.lazy.filter { $0.kind != .contractStart }.map { CivilDate(days: $0.day).monthIndex }.min()
                ?? noMonth
        }
        // Customers are locked by bucket (a hash of the key, one of `lockBuckets`), taken in one
        // order by every scorer: no deadlock, no lost update. One lock per customer ran PostgreSQL's
        // shared lock table out of memory past a few tens of thousands in one commit.
        // Then, in the same statement, one more version per customer changed, under its lock:
        // scorers take each month at the highest version they have seen, whatever order updates
        // reach them in. The locks are a materialized CTE the insert's rows join, so all of them
        // are held before the first row is written; one statement saves a round trip per commit.
        // A customer's first version comes from a sequence, read once the locks are held: above
        // the generation of a replace of every history that this commit waited for.
        var versions: [String: Int64] = [:]
        let bumped = try await connection.query(
            """
            WITH locked AS MATERIALIZED (
                SELECT count(pg_advisory_xact_lock(\(Self.lockNamespace), bucket)) AS held FROM (
                    SELECT DISTINCT (hashtextextended(grp, crm) & \(Self.lockBuckets - 1))::int AS bucket
                    FROM unnest(\(crms + others.map { Int64(bitPattern: $0.crm) })::bigint[],
                        \(groups + others.map(\.productGroup))::text[]) AS t(crm, grp) ORDER BY bucket) AS buckets)
            INSERT INTO customer_versions (crm, product_group, version)
            SELECT t.crm, t.grp, nextval('customer_first_versions')
            FROM locked, unnest(\(crms)::bigint[], \(groups)::text[]) AS t(crm, grp)
            WHERE locked.held >= 0
            ON CONFLICT (crm, product_group) DO UPDATE SET version = customer_versions.version + 1
            RETURNING crm, product_group, version
            """,
            logger: self.logger
        )
        for try await (crm, group, version) in bumped.decode((Int64, String, Int64).self) {
            versions["\(crm)|\(group)"] = version
        }
        let stored = try await CustomerHistoryStore.months(
            crms: crms,
            productGroups: groups,
            since: since,
            on: connection,
            logger: self.logger
        )
        var changed: [CustomerMonths] = []
        var updates: [CustomerUpdate] = []
        var contracts: [(crm: Int64, group: String, day: Int?)] = []
        for (index, key) in keys.enumerated() {
            var customer = stored[index].customer
            let contractBefore = customer.contractStartDay
            let ordered = byCustomer[key]!.sorted {
                ($0.occurredAtMilliseconds, $0.eventID) < ($1.occurredAtMilliseconds, $1.eventID)
            }
            for event in ordered { customer.apply(event) }
            if customer.contractStartDay != contractBefore {
                contracts.append((crms[index], key.productGroup, customer.contractStartDay))
            }
            changed.append(customer)
            var update = customer.update(
                fromMonth: since[index] == noMonth ? Int.max : since[index],
                hasEarlierMonths: stored[index].hasEarlierMonths
            )
            update.version = versions["\(crms[index])|\(key.productGroup)"] ?? 0
            updates.append(update)
        }
        try await CustomerHistoryStore.delete(
            crms: crms,
            productGroups: groups,
            since: since,
            on: connection,
            logger: self.logger
        )
        try await CustomerHistoryStore.insert(changed, on: connection, logger: self.logger)
        if !contracts.isEmpty {
            try await CustomerHistoryStore.setContractStart(
                crms: contracts.map(\.crm),
                productGroups: contracts.map(\.group),
                days: contracts.map(\.day),
                on: connection,
                logger: self.logger
            )
        }
        // Delivered to the listeners when the transaction commits, and not at all if it does not.
        let payloads = Self.payloads(source: self.source, updates.map { ($0.crm, $0.fromMonth, $0.productGroup) })
        try await connection.perform(
            "SELECT count(pg_notify(\(Self.channel), payload)) FROM unnest(\(payloads)::text[]) AS t(payload)",
            logger: self.logger
        )
        return updates
    }

    /// The notification payloads for changed customers: `source`, then a line per customer, cut
    /// so that none exceeds about 7,000 bytes (PostgreSQL's limit is 8,000).
    static func payloads(source: String, _ customers: [(crm: UInt64, fromMonth: Int, productGroup: String)]) -> [String]
    {
        var payloads: [String] = []
        var current = source
        for customer in customers {
            let line = "\n\(customer.crm)\t\(customer.fromMonth)\t\(customer.productGroup)"
            if current.utf8.count + line.utf8.count > 7_000 {
                payloads.append(current)
                current = source
            }
            current += line
        }
        if current != source { payloads.append(current) }
        return payloads
    }
}
