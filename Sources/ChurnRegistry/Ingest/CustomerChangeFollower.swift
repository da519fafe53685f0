public import ChurnModel
public import Logging
internal import NIOConcurrencyHelpers
internal import PostgresNIO
public import ServiceLifecycle

/// Keeps a scorer's customer histories current with events other scorers ingest: it LISTENs on
/// ``ActivityLedger/channel``, and for each commit of another source reads the changed months of
/// the customers named and hands them to `apply` (a scorer's own commits it has applied already).
///
/// Notifications sent while it is not listening are lost, so after every (re)connection, once
/// LISTEN is in place, it catches up: it reads again the customers whose events were committed
/// by transactions that its last read of the histories did not see (``DatabaseSnapshot``), and
/// hands them to `apply`. Its last read is the scorer's start-up load (the snapshot passed in),
/// then each catch-up's own. Commits that land during a catch-up are both read and notified
/// (reading a customer twice changes nothing), so none falls between.
///
/// While it listens, the snapshot moves on, so that a catch-up reads what a gap missed, not every
/// change since the scorer started: at most every `snapshotInterval`, after handling a
/// notification, it reads a fresh snapshot and then notifies a barrier of its own. Notifications
/// arrive in commit order, so once the barrier arrives, every commit the fresh snapshot sees has
/// been handled, and the fresh snapshot becomes the one a catch-up starts from.
///
/// With no snapshot (a scorer that started from its cache with the database down), the first
/// connection loads every history again instead and hands them to `replaceAll` with the change
/// mark taken before the load
/// (``CustomerBook/replaceAll(with:keepingChangesAfter:discardingVersionsBelow:)`` keeps what was
/// applied meanwhile).
///
/// Each session on a connection runs through ``ConnectionLossRace``: when the connection closes
/// (the server went away, or the client closed it at graceful shutdown), the follower gives the
/// session up within a tenth of a second, instead of waiting on a statement sent after the
/// close, which PostgresNIO never answers.
///
/// A replace of every history (``CustomerHistoryStore/replace(with:progress:)``, such as
/// `demo-data --to-database`) is not a change of some customers: notified, or found by a catch-up
/// in `history_replacements`, it makes the follower load every history again, and hand them to
/// `replaceAll` with the replace's generation, below which what the book applied meanwhile is
/// older than the replace and discarded.
public final class CustomerChangeFollower: Service, Sendable {
    /// What the follower has done, for tests and logs.
    public struct Statistics: Sendable, Hashable {
        /// Full loads after a connection (only when no snapshot of an earlier read was known).
        public var reloads = 0
        /// Catch-ups after a (re)connection: reads of the customers changed since the last read.
        public var catchUps = 0
        /// Customers read again after another source's commit.
        public var customersFollowed = 0
        /// Customers read again by catch-ups.
        public var customersCaughtUp = 0
        /// Times the snapshot a catch-up starts from moved on while listening.
        public var snapshotsAdvanced = 0
        /// Replaces of every history loaded (notified, or found by a catch-up); each is one of
        /// the ``reloads``.
        public var replacesLoaded = 0
    }

    private let client: PostgresClient
    private let source: String
    private let logger: Logger
    private let maxBackoff: Duration
    private let snapshotInterval: Duration
    private let changeMark: @Sendable () -> UInt64
    private let apply: @Sendable ([CustomerUpdate]) -> Void
    private let replaceAll: @Sendable ([StoredCustomer], UInt64, Int64) -> Void
    private let state: NIOLockedValueBox<(statistics: Statistics, listening: Bool, snapshot: DatabaseSnapshot?)>

    /// - Parameters:
    ///   - source: this scorer's node id, as its ``IngestWriter`` names it: its own commits are
    ///     skipped.
    ///   - snapshot: the snapshot the scorer's histories were read in
    ///     (``CustomerHistoryStore/StoredHistories/snapshot``); nil when they were not read from
    ///     the database, which makes the first connection load every history again.
    ///   - snapshotInterval: how often, at most, the snapshot a catch-up starts from moves on
    ///     while listening.
    ///   - changeMark: the book's ``CustomerBook/changeMark``.
    ///   - apply: ``CustomerBook/apply(_:)``.
    ///   - replaceAll: ``CustomerBook/replaceAll(with:keepingChangesAfter:discardingVersionsBelow:)``.
    public init(
        url: DatabaseURL,
        source: String,
        after snapshot: DatabaseSnapshot?,
        logger: Logger,
        maxBackoff: Duration = .seconds(5),
        snapshotInterval: Duration = .seconds(30),
        changeMark: @escaping @Sendable () -> UInt64,
        apply: @escaping @Sendable ([CustomerUpdate]) -> Void,
        replaceAll: @escaping @Sendable ([StoredCustomer], UInt64, Int64) -> Void
    ) {
        self.client = .background(url, logger: logger)
        self.source = source
        self.logger = logger
        self.maxBackoff = maxBackoff
        self.snapshotInterval = snapshotInterval
        self.changeMark = changeMark
        self.apply = apply
        self.replaceAll = replaceAll
        self.state = NIOLockedValueBox((Statistics(), false, snapshot))
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
                    try await self.client.withConnectionEndingAtClose("following customer changes") { connection in
                        try await self.listen(on: connection)
                    }
                } catch {
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    self.logger.warning(
                        "following other scorers' customer changes failed; reconnecting",
                        metadata: ["error": "\(RegistryError.wrapping(error, "following customer changes"))"]
                    )
                }
                // A session that got as far as listening starts the backoff again.
                if self.state.withLockedValue({ $0.listening }) { backoff = .milliseconds(100) }
                self.state.withLockedValue { $0.listening = false }
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                let wait = backoff
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
                backoff = min(backoff * 2, self.maxBackoff)
            }
            group.cancelAll()
        }
    }

    /// Listens on `connection`, catches up, then follows each notification until graceful
    /// shutdown, cancellation or a failure. Run through ``ConnectionLossRace``: a statement sent
    /// after the connection closed would otherwise hold it for good.
    private func listen(on connection: PostgresConnection) async throws {
        try await connection.listen(on: ActivityLedger.channel) { notifications in
            // From here on nothing is missed: catch up, then follow.
            try await self.catchUp(on: connection)
            self.state.withLockedValue { $0.listening = true }
            var barrier: (payload: String, snapshot: DatabaseSnapshot)?
            var advanced = ContinuousClock.now
            for try await notification in notifications.cancelOnGracefulShutdown() {
                if let sent = barrier, notification.payload == sent.payload {
                    self.state.withLockedValue {
                        $0.snapshot = sent.snapshot
                        $0.statistics.snapshotsAdvanced += 1
                    }
                    barrier = nil
                    advanced = .now
                    continue
                }
                if let generation = CustomerHistoryStore.replacedGeneration(notification.payload) {
                    try await self.reload(on: connection, replaced: generation)
                    continue
                }
                try await self.follow(notification.payload, on: connection)
                if barrier == nil, ContinuousClock.now - advanced >= self.snapshotInterval {
                    barrier = try await self.sendBarrier(on: connection)
                }
            }
        }
    }

    /// Reads again what was committed since the last read of the histories, or every history
    /// when none is known or a replace of every history came since; keeps the snapshot it read in.
    private func catchUp(on connection: PostgresConnection) async throws {
        let started = ContinuousClock.now
        guard let last = self.state.withLockedValue({ $0.snapshot }) else {
            try await self.reload(on: connection, replaced: nil)
            return
        }
        if let generation = try await CustomerHistoryStore.replacement(
            after: last,
            on: connection,
            logger: self.logger
        ) {
            try await self.reload(on: connection, replaced: generation)
            return
        }
        let (updates, snapshot) = try await CustomerHistoryStore.inSnapshot(on: connection, logger: self.logger) {
            connection in
            let changed = try await CustomerHistoryStore.changedCustomers(
                after: last,
                on: connection,
                logger: self.logger
            )
            return try await Self.read(changed, on: connection, logger: self.logger)
        }
        if !updates.isEmpty { self.apply(updates) }
        self.state.withLockedValue {
            $0.statistics.catchUps += 1
            $0.statistics.customersCaughtUp += updates.count
            $0.snapshot = snapshot
        }
        self.logger.info(
            "caught up with the customer changes committed since the last read",
            metadata: ["customers": "\(updates.count)", "took": "\(ContinuousClock.now - started)"]
        )
    }

    /// Loads every history again and hands them to `replaceAll` with the change mark taken before
    /// the load, and with the generation of the replace of every history that made it load
    /// (`replaced`; nil when none did, which discards nothing applied meanwhile); keeps the
    /// snapshot it read in.
    private func reload(on connection: PostgresConnection, replaced generation: Int64?) async throws {
        let started = ContinuousClock.now
        let mark = self.changeMark()
        // Read and handed over at low priority: the serving threads come first meanwhile.
        let (customers, snapshot) = try await HistoryLoadingThread.run {
            let (customers, snapshot) = try await CustomerHistoryStore.allMonths(on: connection, logger: self.logger)
            self.replaceAll(customers, mark, generation ?? 0)
            return (customers.count, snapshot)
        }
        self.state.withLockedValue {
            $0.statistics.reloads += 1
            if generation != nil { $0.statistics.replacesLoaded += 1 }
            $0.snapshot = snapshot
        }
        self.logger.info(
            generation == nil
                ? "customer histories reloaded to follow other scorers' changes"
                : "customer histories reloaded: every history was replaced",
            metadata: [
                "customers": "\(customers)", "generation": "\(generation ?? 0)",
                "took": "\(ContinuousClock.now - started)",
            ]
        )
    }

    /// Reads a fresh snapshot, then notifies a barrier (a payload no commit sends, naming no
    /// customer): it commits after every transaction the snapshot sees, so it arrives after their
    /// notifications.
    private func sendBarrier(on connection: PostgresConnection) async throws -> (String, DatabaseSnapshot) {
        var text = ""
        let rows = try await connection.query("SELECT pg_current_snapshot()::text", logger: self.logger)
        for try await read in rows.decode(String.self) { text = read }
        let payload = "snapshot barrier of \(self.source) #\(UInt64.random(in: 0...UInt64.max))"
        try await connection.perform(
            "SELECT pg_notify(\(ActivityLedger.channel), \(payload))::text",
            logger: self.logger
        )
        return (payload, DatabaseSnapshot(text: text))
    }

    /// Reads again what another source's commit changed.
    private func follow(_ payload: String, on connection: PostgresConnection) async throws {
        guard let changed = Self.parse(payload), changed.source != self.source, !changed.customers.isEmpty else {
            return
        }
        let (updates, _) = try await CustomerHistoryStore.inSnapshot(on: connection, logger: self.logger) {
            connection in
            try await Self.read(changed.customers, on: connection, logger: self.logger)
        }
        self.apply(updates)
        self.state.withLockedValue { $0.statistics.customersFollowed += updates.count }
    }

    /// The stored months of `customers` from each one's first changed month on, as updates of the
    /// version read (run it in one snapshot).
    private static func read(
        _ customers: [(crm: UInt64, fromMonth: Int, productGroup: String)],
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [CustomerUpdate] {
        guard !customers.isEmpty else { return [] }
        let read = try await CustomerHistoryStore.months(
            crms: customers.map { Int64(bitPattern: $0.crm) },
            productGroups: customers.map(\.productGroup),
            // A contract start alone changed no month: read none, keep the contract start.
            since: customers.map { min($0.fromMonth, MonthlyActivity.monthIndex(year: 9999, month: 12)) },
            on: connection,
            logger: logger
        )
        return zip(customers, read).map { customer, read in
            var update = read.customer.update(fromMonth: customer.fromMonth, hasEarlierMonths: read.hasEarlierMonths)
            update.version = read.version
            return update
        }
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
