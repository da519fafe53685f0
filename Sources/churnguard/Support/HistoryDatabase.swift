import ChurnDatasets
import ChurnModel
import ChurnRegistry

/// Customer timelines to and from `customer_months`.
enum HistoryDatabase {
    /// Writes `timelines` to the database of `url`, replacing what was there; returns the
    /// replace's generation (running scorers load the new histories).
    @discardableResult
    static func store(_ timelines: [CustomerTimeline], url: DatabaseURL, command: String) async throws -> Int64 {
        let customers = timelines.map(Self.customer)
        let total = customers.reduce(0) { $0 + $1.months.count }
        return try await RegistrySession.with(url) { registry in
            try await CustomerHistoryStore(client: registry.client, logger: RegistrySession.logger).replace(
                with: customers
            ) {
                written in
                if written % 50_000 == 0 || written == total {
                    Terminal.progress("\(command): \(written) of \(total) monthly history rows stored")
                }
            }
        }
    }

    /// Reads every stored timeline and the data's first and last active day.
    static func load(url: DatabaseURL) async throws -> (timelines: [CustomerTimeline], firstDay: Int, lastDay: Int) {
        let stored = try await RegistrySession.with(url) { registry in
            try await CustomerHistoryStore(client: registry.client, logger: RegistrySession.logger).customers()
        }
        guard !stored.customers.isEmpty else {
            throw CommandFailure(
                "the database at \(url) holds no customer histories: `churnguard demo-data --to-database` stores some"
            )
        }
        return (stored.customers.map(Self.timeline), stored.firstDay, stored.lastDay)
    }

    /// A timeline's months with their first and last active day (months without one are left out).
    static func customer(_ timeline: CustomerTimeline) -> CustomerHistoryStore.Customer {
        var months: [MonthlyActivity] = []
        var days: [(first: Int, last: Int)?] = []
        var index = 0
        for month in timeline.months {
            let start = ChurnSnapshots.lastDay(ofMonth: month.month - 1) + 1
            let end = ChurnSnapshots.lastDay(ofMonth: month.month)
            while index < timeline.activityDays.count, timeline.activityDays[index] < start { index += 1 }
            var first: Int?
            var last: Int?
            var scan = index
            while scan < timeline.activityDays.count, timeline.activityDays[scan] <= end {
                first = first ?? timeline.activityDays[scan]
                last = timeline.activityDays[scan]
                scan += 1
            }
            if let first, let last {
                months.append(month)
                days.append((first, last))
            }
        }
        return .init(
            crm: timeline.crm,
            productGroup: timeline.productGroup,
            contractStartDay: timeline.contractStartDay,
            months: months,
            activeDays: days
        )
    }

    /// The inverse: each month contributes its first and last active day, which is all the
    /// month-end snapshots read.
    static func timeline(_ customer: CustomerHistoryStore.Customer) -> CustomerTimeline {
        var days: [Int] = []
        for case let (first, last)? in customer.activeDays {
            days.append(first)
            if last != first { days.append(last) }
        }
        return CustomerTimeline(
            crm: customer.crm,
            productGroup: customer.productGroup,
            contractStartDay: customer.contractStartDay,
            months: customer.months,
            activityDays: days
        )
    }
}
