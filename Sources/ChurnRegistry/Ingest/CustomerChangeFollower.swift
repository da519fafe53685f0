public import ChurnModel
public import Logging
internal import NIOConcurrencyHelpers
internal import PostgresNIO
public import ServiceLifecycle

/// Keeps a scorer's customer histories current with events other scorers ingest: it LISTENs on
/// ``ActivityLedger/channel``, and for each commit of another source reads the changed months of
/// the customers named and hands them to `apply` (a scorer's own commits it has applied already).
///
/// Notifications sent while it is not listening are lost, so after every (re)connection it loads
/// every history again and hands them to `replaceAll` with the change mark taken before the load
/// (``CustomerBook/replaceAll(with:keepingChangesAfter:)`` keeps what was applied meanwhile); the
/// notifications that came during the load are handled after it. The first connection reloads
/// too: it closes the gap between the scorer's start-up load and its first LISTEN.
public final class CustomerChangeFollower: Service, Sendable {
    /// What the follower has done, for tests and logs.
    public struct Statistics: Sendable, Hashable {
        /// Full loads after a (re)connection.
        public var reloads = 0
        /// Customers read again after another source's commit.
        public var customersFollowed = 0
    }

    private let client: PostgresClient
    private let source: String
    private let logger: Logger
    private let maxBackoff: Duration
    private let changeMark: @Sendable () -> UInt64
    private let apply: @Sendable ([CustomerUpdate]) -> Void
    private let replaceAll: @Sendable ([StoredCustomer], UInt64) -> Void
    private let state = NIOLockedValueBox((statistics: Statistics(), listening: false))

    /// - Parameters:
    ///   - source: this scorer's node id, as its ``IngestWriter`` names it: its own commits are
    ///     skipped.
    ///   - changeMark: the book's ``CustomerBook/changeMark``.
    ///   - apply: ``CustomerBook/apply(_:)``.
    ///   - replaceAll: ``CustomerBook/replaceAll(with:keepingChangesAfter:)``.
    public init(
        url: DatabaseURL,
        source: String,
        logger: Logger,
        maxBackoff: Duration = .seconds(5),
        changeMark: @escaping @Sendable () -> UInt64,
        apply: @escaping @Sendable ([CustomerUpdate]) -> Void,
        replaceAll: @escaping @Sendable ([StoredCustomer], UInt64) -> Void
    ) {
        self.client = .background(url, logger: logger)
        self.source = source
        self.logger = logger
        self.maxBackoff = maxBackoff
        self.changeMark = changeMark
        self.apply = apply
        self.replaceAll = replaceAll
    }

    public var statistics: Statistics { self.state.withLockedValue { $0.statistics } }
    /// Whether it is listening and has caught up since connecting.
    public var isListening: Bool { self.state.withLockedValue { $0.listening } }

    /// Follows until graceful shutdown or cancellation, reconnecting with backoff.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            var backoff = Duration.milliseconds(100)
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    try await self.client.withConnection { connection in
                        try await connection.listen(on: ActivityLedger.channel) { notifications in
                            // From here on nothing is missed: catch up, then follow.
                            try await self.reload(on: connection)
                            self.state.withLockedValue { $0.listening = true }
                            backoff = .milliseconds(100)
                            for try await notification in notifications.cancelOnGracefulShutdown() {
                                try await self.follow(notification.payload, on: connection)
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    self.logger.warning(
                        "following other scorers' customer changes failed; reconnecting",
                        metadata: ["error": "\(RegistryError.wrapping(error, "following customer changes"))"]
                    )
                }
                self.state.withLockedValue { $0.listening = false }
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                let wait = backoff
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
                backoff = min(backoff * 2, self.maxBackoff)
            }
            group.cancelAll()
        }
    }

    /// Loads every history again and hands it over with the mark taken before.
    private func reload(on connection: PostgresConnection) async throws {
        let mark = self.changeMark()
        let started = ContinuousClock.now
        let customers = try await CustomerHistoryStore.allMonths(on: connection, logger: self.logger)
        self.replaceAll(customers, mark)
        self.state.withLockedValue { $0.statistics.reloads += 1 }
        self.logger.info(
            "customer histories reloaded to follow other scorers' changes",
            metadata: ["customers": "\(customers.count)", "took": "\(ContinuousClock.now - started)"]
        )
    }

    /// Reads again what another source's commit changed.
    private func follow(_ payload: String, on connection: PostgresConnection) async throws {
        guard let changed = Self.parse(payload), changed.source != self.source, !changed.customers.isEmpty else {
            return
        }
        let customers = changed.customers
        let read = try await CustomerHistoryStore.months(
            crms: customers.map { Int64(bitPattern: $0.crm) },
            productGroups: customers.map(\.productGroup),
            // A contract start alone changed no month: read none, keep the contract start.
            since: customers.map { min($0.fromMonth, MonthlyActivity.monthIndex(year: 9999, month: 12)) },
            on: connection,
            logger: self.logger
        )
        let updates = zip(customers, read).map { customer, read in
            read.customer.update(fromMonth: customer.fromMonth, hasEarlierMonths: read.hasEarlierMonths)
        }
        self.apply(updates)
        self.state.withLockedValue { $0.statistics.customersFollowed += updates.count }
    }

    /// A payload of ``ActivityLedger/channel``: its source and changed customers; nil when it is
    /// not one.
    static func parse(
        _ payload: String
    ) -> (
        source: String, customers: [(crm: UInt64, fromMonth: Int, productGroup: String)]
    )? {
        let lines = payload.split(separator: "\n", omittingEmptySubsequences: false)
        guard let source = lines.first else { return nil }
        var customers: [(crm: UInt64, fromMonth: Int, productGroup: String)] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let crm = UInt64(fields[0]), let month = Int(fields[1]), !fields[2].isEmpty else {
                return nil
            }
            customers.append((crm, month, String(fields[2])))
        }
        return (String(source), customers)
    }
}
