public import ChurnModel
public import Logging
public import PostgresNIO

/// Customer histories in PostgreSQL (`customer_months`): one row per customer, product group and
/// month, with the month's first and last active day. That is all labelling needs: snapshots are
/// taken at month ends, so the last activity before one and the first after one are always a
/// month's last or first active day.
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

    /// Replaces every stored row with `customers`, in one transaction, 5,000 rows a statement;
    /// `progress` gets the rows written so far.
    ///
    /// - Throws: ``RegistryError/Code/invalidRequest`` for a customer whose months and active days
    ///   differ in count; ``RegistryError/Code/unavailable`` when the database fails (nothing is
    ///   replaced then).
    public func replace(
        with customers: [Customer],
        progress: @Sendable (Int) -> Void = { _ in }
    ) async throws(RegistryError) {
        struct Row {
            var crm: Int64
            var group: String
            var month: Int
            var values: MonthlyActivity
            var first: Int
            var last: Int
            var contract: Int?
        }
        var rows: [Row] = []
        for customer in customers {
            guard customer.months.count == customer.activeDays.count else {
                throw RegistryError(.invalidRequest, "customer \(customer.crm): months and active days differ in count")
            }
            for (month, days) in zip(customer.months, customer.activeDays) {
                rows.append(
                    Row(
                        crm: Int64(bitPattern: customer.crm),
                        group: customer.productGroup,
                        month: month.month,
                        values: month,
                        first: days.first,
                        last: days.last,
                        contract: customer.contractStartDay
                    )
                )
            }
        }
        do {
            try await self.client.withTransaction(logger: self.logger) { connection in
                try await connection.query("DELETE FROM customer_months", logger: self.logger)
                var written = 0
                for start in stride(from: 0, to: rows.count, by: 5_000) {
                    let chunk = rows[start..<min(start + 5_000, rows.count)]
                    let months = chunk.map { Self.dateText(monthIndex: $0.month) }
                    let firsts = chunk.map { CivilDate(days: $0.first).text }
                    let lasts = chunk.map { CivilDate(days: $0.last).text }
                    // Arrays carry no NULLs here: '' and NaN stand for missing and become NULL below.
                    let contracts = chunk.map { $0.contract.map { CivilDate(days: $0).text } ?? "" }
                    let satisfaction = chunk.map(\.values.satisfaction)
                    try await connection.query(
                        """
                        INSERT INTO customer_months (crm, product_group, month, net_revenue, kag_count, discounts, returns,
                            complaints, satisfaction, call_center_contacts, first_activity, last_activity, contract_start)
                        SELECT crm, grp, month, rev, kag, disc, ret, comp, NULLIF(sat, 'NaN'::float8), calls, fa, la,
                            NULLIF(cs, '')::date
                        FROM unnest(\(chunk.map(\.crm))::bigint[], \(chunk.map(\.group))::text[],
                            \(months)::date[], \(chunk.map(\.values.netRevenue))::float8[],
                            \(chunk.map(\.values.kagCount))::float8[], \(chunk.map(\.values.discounts))::float8[],
                            \(chunk.map(\.values.returns))::float8[], \(chunk.map(\.values.complaints))::float8[],
                            \(satisfaction)::float8[], \(chunk.map(\.values.callCenterContacts))::float8[],
                            \(firsts)::date[], \(lasts)::date[], \(contracts)::text[])
                            AS t(crm, grp, month, rev, kag, disc, ret, comp, sat, calls, fa, la, cs)
                        """,
                        logger: self.logger
                    )
                    written += chunk.count
                    progress(written)
                }
            }
        } catch {
            throw RegistryError.wrapping(error, "storing customer histories")
        }
    }

    /// Every stored customer, in (crm, product group) order, and the first and last active day
    /// of all of them (the data's span).
    public func customers() async throws(RegistryError) -> (customers: [Customer], firstDay: Int, lastDay: Int) {
        do {
            let rows = try await self.client.query(
                """
                SELECT crm, product_group, to_char(month, 'YYYY-MM'), net_revenue, kag_count, discounts, returns,
                    complaints, satisfaction, call_center_contacts,
                    (first_activity - DATE '1970-01-01'), (last_activity - DATE '1970-01-01'),
                    (contract_start - DATE '1970-01-01')
                FROM customer_months ORDER BY crm, product_group, month
                """,
                logger: self.logger
            )
            var customers: [Customer] = []
            var firstDay = Int.max
            var lastDay = Int.min
            for try await (
                crm, group, month, revenue, kag, discounts, returns, complaints, satisfaction, calls, first, last,
                contract
            )
                in rows.decode(
                    (
                        Int64, String, String, Double, Double, Double, Double, Double, Double?, Double, Int32, Int32,
                        Int32?
                    ).self
                )
            {
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
                        Customer(
                            crm: key,
                            productGroup: group,
                            contractStartDay: contract.map(Int.init),
                            months: [],
                            activeDays: []
                        )
                    )
                }
                customers[customers.count - 1].months.append(activity)
                customers[customers.count - 1].activeDays.append((Int(first), Int(last)))
                firstDay = min(firstDay, Int(first))
                lastDay = max(lastDay, Int(last))
            }
            return (customers, firstDay, lastDay)
        } catch {
            throw RegistryError.wrapping(error, "reading customer histories")
        }
    }

    /// `YYYY-MM-01` of a month index.
    static func dateText(monthIndex: Int) -> String { MonthlyActivity.text(ofMonth: monthIndex) + "-01" }
}
