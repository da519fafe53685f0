internal import ChurnModel
internal import Logging
internal import PostgresNIO

extension CustomerHistoryStore {
    /// Runs `body` in one repeatable-read, read-only transaction on `connection`: every read in it
    /// sees the same committed state, which the returned snapshot names.
    static func inSnapshot<T>(
        on connection: PostgresConnection,
        logger: Logger,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> (T, DatabaseSnapshot) {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.perform("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            var snapshot = ""
            let rows = try await connection.query("SELECT pg_current_snapshot()::text", logger: logger)
            for try await text in rows.decode(String.self) { snapshot = text }
            return (try await body(connection), DatabaseSnapshot(text: snapshot))
        }
    }

    /// The customers whose ingested events were committed by transactions that `snapshot` does not
    /// see, in (crm, product group) order, each with the first month those events touch (a month
    /// index; `Int.max` when they are contract starts only, which touch no month), as
    /// ``ActivityLedger`` notifies them. An index range from the snapshot's oldest transaction on.
    static func changedCustomers(
        after snapshot: DatabaseSnapshot,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [(crm: UInt64, fromMonth: Int, productGroup: String)] {
        let rows = try await connection.query(
            """
            SELECT crm, product_group, (extract(year FROM first) * 12 + extract(month FROM first) - 1)::int
            FROM (
                SELECT crm, product_group,
                    min(occurred_at AT TIME ZONE 'UTC') FILTER (WHERE kind <> \(Int16(Activity.Kind.contractStart.rawValue))) AS first
                FROM activity_events
                WHERE xact >= pg_snapshot_xmin(\(snapshot.text)::pg_snapshot)
                    AND NOT pg_visible_in_snapshot(xact, \(snapshot.text)::pg_snapshot)
                GROUP BY crm, product_group) AS changed
            ORDER BY crm, product_group
            """,
            logger: logger
        )
        var customers: [(crm: UInt64, fromMonth: Int, productGroup: String)] = []
        for try await (crm, group, month) in rows.decode((Int64, String, Int32?).self) {
            customers.append((UInt64(bitPattern: crm), month.map(Int.init) ?? Int.max, group))
        }
        return customers
    }

    /// The generation of the latest replace of every history (``replace(with:progress:)``) that
    /// `snapshot` does not see, if any: a scorer whose histories were read in it must read every
    /// history again.
    static func replacement(
        after snapshot: DatabaseSnapshot,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Int64? {
        let rows = try await connection.query(
            """
            SELECT max(generation) FROM history_replacements
            WHERE xact >= pg_snapshot_xmin(\(snapshot.text)::pg_snapshot)
                AND NOT pg_visible_in_snapshot(xact, \(snapshot.text)::pg_snapshot)
            """,
            logger: logger
        )
        var generation: Int64?
        for try await latest in rows.decode(Int64?.self) { generation = latest }
        return generation
    }
}
