public import ChurnModel
public import Logging
public import PostgresNIO

/// Customer histories in PostgreSQL (`customer_months`): one row per customer, product group and
/// month, with the month's first and last active day (none for a month with events but no
/// activity) and how many surveys its satisfaction is the mean of. That is all labelling needs:
/// snapshots are taken at month ends, so the last activity before one and the first after one are
/// always a month's last or first active day.
///
/// ```swift
/// let store = CustomerHistoryStore(client: client, logger: logger)
/// try await store.replace(with: timelines)      // demo-data --database-url …
/// let timelines = try await store.timelines()   // train --from-database
/// ```
public struct CustomerHistoryStore: Sendable {
    /// One customer's months, as stored.
    public typealias Customer = StoredCustomer

    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Replaces every stored history with `customers`, in one transaction, 5,000 rows a
    /// statement, and forgets every ingested event (`activity_events`), which belonged to the
    /// histories replaced; `progress` gets the rows written so far. A month's satisfaction counts
    /// as one survey.
    ///
    /// Running scorers load the new histories without a restart: the replace holds every
    /// customer's lock (no ingest commit runs meanwhile), gives every customer it stores a new
    /// generation as its version (above every version before, so a scorer's merge takes the new
    /// months), records the generation in `history_replacements` (a scorer that was not
    /// listening finds it there) and notifies ``ActivityLedger/channel`` of it.
    ///
    /// - Returns: the generation, the version every stored customer now has.
    /// - Throws: ``RegistryError/Code/invalidRequest`` for a customer whose months and active days
    ///   differ in count; ``RegistryError/Code/unavailable`` when the database fails (nothing is
    ///   replaced then).
    @discardableResult
    public func replace(
        with customers: [Customer],
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws(RegistryError) -> Int64 {
        var rows: [CustomerMonths] = []
        rows.reserveCapacity(customers.count)
        for customer in customers {
            guard customer.months.count == customer.activeDays.count else {
                throw RegistryError(.invalidRequest, "customer \(customer.crm): months and active days differ in count")
            }
            rows.append(
                CustomerMonths(
                    crm: customer.crm,
                    productGroup: customer.productGroup,
                    contractStartDay: customer.contractStartDay,
                    months: zip(customer.months, customer.activeDays).map { month, days in
                        .init(activity: month, activeDays: days, surveys: month.satisfaction.isNaN ? 0 : 1)
                    }
                )
            )
        }
        do {
            let rows = rows
            return try await self.client.withTransactionEndingAtClose(
                "replacing every customer history",
                logger: self.logger
            ) { connection in
                let generation = try await Self.lockEveryCustomer(on: connection, logger: self.logger)
                try await connection.perform("DELETE FROM customer_months", logger: self.logger)
                try await connection.perform("DELETE FROM activity_events", logger: self.logger)
                try await connection.perform("DELETE FROM customer_versions", logger: self.logger)
                try await Self.insert(rows, on: connection, logger: self.logger, progress: progress)
                try await connection.perform(
                    """
                    INSERT INTO customer_versions (crm, product_group, version)
                    SELECT DISTINCT crm, product_group, \(generation)::bigint FROM customer_months
                    """,
                    logger: self.logger
                )
                // Customers first versioned from now on start above the generation.
                try await connection.perform(
                    "SELECT setval('customer_first_versions', \(generation)::bigint)",
                    logger: self.logger
                )
                try await connection.perform(
                    "INSERT INTO history_replacements (generation, customers) VALUES (\(generation), \(rows.count))",
                    logger: self.logger
                )
                try await connection.perform(
                    "SELECT pg_notify(\(ActivityLedger.channel), \(Self.replacedPayload(generation: generation)))::text",
                    logger: self.logger
                )
                return generation
            }
        } catch {
            throw RegistryError.wrapping(error, "storing customer histories")
        }
    }

    /// Takes every customer's advisory lock, in the order ingest commits take theirs (so neither
    /// deadlocks), and returns the next generation: above every version and generation so far.
    private static func lockEveryCustomer(on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        try await connection.perform(
            """
            SELECT count(pg_advisory_xact_lock(\(ActivityLedger.lockNamespace), bucket)) FROM (
                SELECT bucket FROM generate_series(0, \(ActivityLedger.lockBuckets - 1)) AS bucket ORDER BY bucket
            ) AS buckets
            """,
            logger: logger
        )
        let rows = try await connection.query(
            """
            SELECT coalesce(greatest(
                (SELECT max(version) FROM customer_versions),
                (SELECT CASE WHEN is_called THEN last_value END FROM customer_first_versions),
                (SELECT max(generation) FROM history_replacements)), 0) + 1
            """,
            logger: logger
        )
        var generation: Int64 = 1
        for try await next in rows.decode(Int64.self) { generation = next }
        return generation
    }

    /// The notification of a replace of every history: a line naming no scorer, then `*` and the
    /// generation (a line no commit of ingested events sends).
    static func replacedPayload(generation: Int64) -> String { "history replace\n*\t\(generation)" }

    /// The generation a notification of ``ActivityLedger/channel`` announces, when it is a
    /// replace's.
    static func replacedGeneration(_ payload: String) -> Int64? {
        let lines = payload.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 2, lines[1].hasPrefix("*\t") else { return nil }
        return Int64(lines[1].dropFirst(2)).flatMap { $0 > 0 ? $0 : nil }
    }

    /// Every stored history, as one read saw them.
    public struct StoredHistories: Sendable {
        /// Every stored customer, in (crm, product group) order.
        public var customers: [Customer]
        /// The first and last active day of all of them (the data's span; `Int.max` and `Int.min`
        /// when there is none).
        public var firstDay: Int
        public var lastDay: Int
        /// What the read saw: events committed later are those of transactions it does not see.
        public var snapshot: DatabaseSnapshot
    }

    /// Every stored customer, the data's span, and the snapshot they were read in.
    public func customers() async throws(RegistryError) -> StoredHistories {
        do {
            let (customers, snapshot) = try await self.client.withConnectionEndingAtClose(
                "reading customer histories"
            ) { connection in
                try await Self.allMonths(on: connection, logger: self.logger)
            }
            var firstDay = Int.max
            var lastDay = Int.min
            for customer in customers {
                for case let (first, last)? in customer.activeDays {
                    firstDay = min(firstDay, first)
                    lastDay = max(lastDay, last)
                }
            }
            return StoredHistories(customers: customers, firstDay: firstDay, lastDay: lastDay, snapshot: snapshot)
        } catch {
            throw RegistryError.wrapping(error, "reading customer histories")
        }
    }

    /// Every stored customer, read on `connection` in one snapshot, which it returns.
    static func allMonths(
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> ([StoredCustomer], DatabaseSnapshot) {
        try await Self.inSnapshot(on: connection, logger: logger) { connection in
            var versions: [String: Int64] = [:]
            let versionRows = try await connection.query(
                "SELECT crm, product_group, version FROM customer_versions",
                logger: logger
            )
            for try await (crm, group, version) in versionRows.decode((Int64, String, Int64).self) {
                versions["\(UInt64(bitPattern: crm))|\(group)"] = version
            }
            let rows = try await connection.query(Self.selectMonths(), logger: logger)
            return try await Self.decode(rows).map { months in
                var customer = months.stored
                customer.version = versions["\(customer.crm)|\(customer.productGroup)"] ?? 0
                return customer
            }
        }
    }

    /// The customers named (CRM numbers and product groups, pairwise) with their stored months from
    /// `since` on (each customer's first month wanted, a month index), in (crm, product group)
    /// order, each with its contract start, the KAG in use of its latest month before `since`,
    /// whether it has such a month, and its version (`customer_versions`, 0 when it has none). A
    /// customer with no row at all comes back without months. Two statements: run it in one
    /// snapshot (``inSnapshot(on:logger:_:)``, or the ledger's locks) for months and version to agree.
    static func months(
        crms: [Int64],
        productGroups: [String],
        since: [Int],
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [(customer: CustomerMonths, hasEarlierMonths: Bool, version: Int64)] {
        let sinceDates = since.map { Self.dateText(monthIndex: $0) }
        var context: [(Int32?, Double?, Int64?)] = []
        let contextRows = try await connection.query(
            """
            SELECT (SELECT c.contract_start - DATE '1970-01-01' FROM customer_months c
                    WHERE c.crm = k.crm AND c.product_group = k.grp LIMIT 1),
                (SELECT c.kag_count FROM customer_months c
                    WHERE c.crm = k.crm AND c.product_group = k.grp AND c.month < k.since
                    ORDER BY c.month DESC LIMIT 1),
                (SELECT v.version FROM customer_versions v WHERE v.crm = k.crm AND v.product_group = k.grp)
            FROM unnest(\(crms)::bigint[], \(productGroups)::text[], \(sinceDates)::date[])
                WITH ORDINALITY AS k(crm, grp, since, position)
            ORDER BY k.position
            """,
            logger: logger
        )
        for try await row in contextRows.decode((Int32?, Double?, Int64?).self) { context.append(row) }
        var binds = PostgresBindings()
        binds.append(crms)
        binds.append(productGroups)
        binds.append(sinceDates)
        let rows = try await connection.query(
            Self.selectMonths(
                from: "unnest($1::bigint[], $2::text[], $3::date[]) AS k(crm, grp, since) CROSS JOIN LATERAL "
                    + Self.monthsOfCustomer(since: true, columns: "*") + " AS m",
                binds: binds
            ),
            logger: logger
        )
        var found: [String: CustomerMonths] = [:]
        for customer in try await Self.decode(rows) { found["\(customer.crm)|\(customer.productGroup)"] = customer }
        return zip(zip(crms, productGroups), context).map { key, context in
            let (crm, group) = key
            var customer =
                found["\(UInt64(bitPattern: crm))|\(group)"]
                ?? CustomerMonths(crm: UInt64(bitPattern: crm), productGroup: group)
            customer.contractStartDay = context.0.map(Int.init)
            customer.kagBeforeFirstMonth = context.1 ?? 0
            return (customer, context.1 != nil, context.2 ?? 0)
        }
    }

    /// Deletes the rows of the customers named (pairwise) from each one's month `since` on.
    static func delete(
        crms: [Int64],
        productGroups: [String],
        since: [Int],
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.perform(
            """
            DELETE FROM customer_months WHERE ctid = ANY(ARRAY(
                SELECT m.ctid FROM unnest(\(crms)::bigint[], \(productGroups)::text[],
                    \(since.map { Self.dateText(monthIndex: $0) })::date[]) AS k(crm, grp, since)
                CROSS JOIN LATERAL \(unescaped: Self.monthsOfCustomer(since: true, columns: "ctid")) AS m))
            """,
            logger: logger
        )
    }

    /// Sets the contract start of every row of the customers named (pairwise; nil: unknown).
    static func setContractStart(
        crms: [Int64],
        productGroups: [String],
        days: [Int?],
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let dates = days.map { $0.map { CivilDate(days: $0).text } ?? "" }
        try await connection.perform(
            """
            UPDATE customer_months u SET contract_start = NULLIF(k.cs, '')::date
            FROM unnest(\(crms)::bigint[], \(productGroups)::text[], \(dates)::text[]) AS k(crm, grp, cs)
            WHERE u.ctid = ANY(ARRAY(
                    SELECT m.ctid FROM unnest(\(crms)::bigint[], \(productGroups)::text[]) AS k(crm, grp)
                    CROSS JOIN LATERAL \(unescaped: Self.monthsOfCustomer(since: false, columns: "ctid")) AS m))
                AND u.crm = k.crm AND u.product_group = k.grp
            """,
            logger: logger
        )
    }

    /// Inserts the customers' months, 5,000 rows a statement.
    static func insert(
        _ customers: [CustomerMonths],
        on connection: PostgresConnection,
        logger: Logger,
        progress: @Sendable (Int) -> Void = { _ in }
    ) async throws {
        struct Row {
            var crm: Int64
            var group: String
            var month: CustomerMonths.Month
            var contract: Int?
        }
        let rows = customers.flatMap { customer in
            customer.months.map {
                Row(
                    crm: Int64(bitPattern: customer.crm),
                    group: customer.productGroup,
                    month: $0,
                    contract: customer.contractStartDay
                )
            }
        }
        var written = 0
        for start in stride(from: 0, to: rows.count, by: 5_000) {
            let chunk = rows[start..<min(start + 5_000, rows.count)]
            let months = chunk.map { Self.dateText(monthIndex: $0.month.activity.month) }
            // Arrays carry no NULLs here: '' and NaN stand for missing and become NULL below.
            let firsts = chunk.map { $0.month.activeDays.map { CivilDate(days: $0.first).text } ?? "" }
            let lasts = chunk.map { $0.month.activeDays.map { CivilDate(days: $0.last).text } ?? "" }
            let contracts = chunk.map { $0.contract.map { CivilDate(days: $0).text } ?? "" }
            let values = chunk.map(\.month.activity)
            try await connection.perform(
                """
                INSERT INTO customer_months (crm, product_group, month, net_revenue, kag_count, discounts, returns,
                    complaints, satisfaction, satisfaction_surveys, call_center_contacts, first_activity,
                    last_activity, contract_start)
                SELECT crm, grp, month, rev, kag, disc, ret, comp, NULLIF(sat, 'NaN'::float8), surveys, calls,
                    NULLIF(fa, '')::date, NULLIF(la, '')::date, NULLIF(cs, '')::date
                FROM unnest(\(chunk.map(\.crm))::bigint[], \(chunk.map(\.group))::text[],
                    \(months)::date[], \(values.map(\.netRevenue))::float8[],
                    \(values.map(\.kagCount))::float8[], \(values.map(\.discounts))::float8[],
                    \(values.map(\.returns))::float8[], \(values.map(\.complaints))::float8[],
                    \(values.map(\.satisfaction))::float8[], \(chunk.map(\.month.surveys))::int[],
                    \(values.map(\.callCenterContacts))::float8[],
                    \(firsts)::text[], \(lasts)::text[], \(contracts)::text[])
                    AS t(crm, grp, month, rev, kag, disc, ret, comp, sat, surveys, calls, fa, la, cs)
                """,
                logger: logger
            )
            written += chunk.count
            progress(written)
        }
    }

    /// The months' columns, in (crm, product group, month) order, of the rows `from` makes `m`;
    /// every row of `customer_months` without one.
    /// A customer's rows (of `k.crm`, `k.grp`, and months from `k.since` on when `since`), as a
    /// LATERAL subquery: one index range scan per customer named. A plain join of a thousand
    /// customers' keys made PostgreSQL hash the whole table instead (a sequential scan per commit
    /// that grew with the table); `OFFSET 0` keeps the planner from flattening it into one.
    static func monthsOfCustomer(since: Bool, columns: String) -> String {
        "(SELECT \(columns) FROM customer_months c WHERE c.crm = k.crm AND c.product_group = k.grp"
            + (since ? " AND c.month >= k.since" : "") + " OFFSET 0)"
    }

    private static func selectMonths(
        from: String = "customer_months m",
        binds: PostgresBindings = PostgresBindings()
    )
        -> PostgresQuery
    {
        PostgresQuery(
            unsafeSQL: """
                SELECT m.crm, m.product_group, to_char(m.month, 'YYYY-MM'), m.net_revenue, m.kag_count, m.discounts,
                    m.returns, m.complaints, m.satisfaction, m.satisfaction_surveys, m.call_center_contacts,
                    (m.first_activity - DATE '1970-01-01'), (m.last_activity - DATE '1970-01-01'),
                    (m.contract_start - DATE '1970-01-01')
                FROM \(from) ORDER BY m.crm, m.product_group, m.month
                """,
            binds: binds
        )
    }

    /// Customers from ``selectMonths(from:binds:)``'s rows.
    ///
    /// Each row's cells are decoded one by one as their concrete types. Decoding a row as one
    /// 14-element tuple (`rows.decode((Int64, String, …).self)`) instantiated the tuple's type
    /// metadata at run time for every row, and a reload spent most of its time there (`perf`).
    private static func decode(_ rows: PostgresRowSequence) async throws -> [CustomerMonths] {
        var customers: [CustomerMonths] = []
        for try await row in rows {
            var cells = RowCells(row)
            let crm = try cells.next(Int64.self)
            let group = try cells.next(String.self)
            let month = try cells.next(String.self)
            let revenue = try cells.next(Double.self)
            let kag = try cells.next(Double.self)
            let discounts = try cells.next(Double.self)
            let returns = try cells.next(Double.self)
            let complaints = try cells.next(Double.self)
            let satisfaction = try cells.nextOptional(Double.self)
            let surveys = try cells.next(Int32.self)
            let calls = try cells.next(Double.self)
            let first = try cells.nextOptional(Int32.self)
            let last = try cells.nextOptional(Int32.self)
            let contract = try cells.nextOptional(Int32.self)
            let parts = month.split(separator: "-")
            guard parts.count == 2, let year = Int(parts[0]), let number = Int(parts[1]) else { continue }
            let activity = MonthlyActivity(
                year: year,
                month: number,
                netRevenue: revenue,
                kagCount: kag,
                discounts: discounts,
                returns: returns,
                complaints: complaints,
                satisfaction: satisfaction ?? .nan,
                callCenterContacts: calls
            )
            let key = UInt64(bitPattern: crm)
            if customers.last?.crm != key || customers.last?.productGroup != group {
                customers.append(
                    CustomerMonths(crm: key, productGroup: group, contractStartDay: contract.map(Int.init))
                )
            }
            var days: (first: Int, last: Int)?
            if let first, let last { days = (Int(first), Int(last)) }
            customers[customers.count - 1].months.append(
                .init(activity: activity, activeDays: days, surveys: Int(surveys))
            )
        }
        return customers
    }

    /// `YYYY-MM-01` of a month index.
    static func dateText(monthIndex: Int) -> String { MonthlyActivity.text(ofMonth: monthIndex) + "-01" }
}
