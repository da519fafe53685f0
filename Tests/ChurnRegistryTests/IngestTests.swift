import ChurnModel
import ChurnScorer
import ChurnTesting
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Testing

@testable import ChurnRegistry

/// Ingested events against a real PostgreSQL: recorded once, applied in the same transaction,
/// acknowledged only once committed.
@Suite("Ingest: the ledger and the writer")
struct IngestTests {
    static let group = "fuel_cards"

    static func day(_ month: Int, _ day: Int) -> Int { CivilDate.days(year: 2025, month: month, day: day) }

    static func event(
        _ id: String,
        crm: UInt64 = 42,
        _ kind: Activity.Kind,
        month: Int,
        day: Int,
        amount: Double = 0,
        kagDelta: Int32 = 0
    ) -> Activity {
        Activity(
            eventID: id,
            crm: crm,
            productGroup: Self.group,
            occurredAtMilliseconds: Int64(Self.day(month, day)) * 86_400_000 + 3_600_000,
            kind: kind,
            amount: amount,
            kagDelta: kagDelta
        )
    }

    /// Customer 42 with January and February 2025.
    static let stored = StoredCustomer(
        crm: 42,
        productGroup: group,
        contractStartDay: day(1, 1) - 400,
        months: [
            MonthlyActivity(year: 2025, month: 1, netRevenue: 1_000, kagCount: 10),
            MonthlyActivity(year: 2025, month: 2, netRevenue: 900, kagCount: 10, satisfaction: 8),
        ],
        activeDays: [(day(1, 3), day(1, 28)), (day(2, 2), day(2, 14))]
    )

    @Test("events are recorded once and applied to their months in the same transaction")
    func ledgerRecordsOnce() async throws {
        try await TestRegistry.with { registry, _ in
            let store = CustomerHistoryStore(client: registry.client, logger: TestRegistry.logger)
            try await store.replace(with: [Self.stored])
            let ledger = ActivityLedger(client: registry.client, logger: TestRegistry.logger)
            let first = try await ledger.record([
                [
                    Self.event("p1", .purchase, month: 2, day: 20, amount: 100),
                    Self.event("s1", .satisfaction, month: 2, day: 21, amount: 6),
                    Self.event("c1", .complaint, month: 3, day: 5),
                ],
                // A replay of p1 within the same commit, and a customer not held before.
                [
                    Self.event("p1", .purchase, month: 2, day: 20, amount: 100),
                    Self.event("n1", crm: 77, .purchase, month: 3, day: 1, amount: 5),
                ],
            ])
            #expect(first.accepted == [3, 1])
            #expect(first.duplicates == [0, 1])
            #expect(Set(first.updated.map(\.crm)) == [42, 77])

            let read = try await store.customers().customers
            let customer = try #require(read.first { $0.crm == 42 })
            #expect(customer.months.map(\.netRevenue) == [1_000, 1_000, 0])
            #expect(customer.months[1].satisfaction == 7)
            #expect(customer.months[2].complaints == 1)
            #expect(customer.months[2].kagCount == 10)
            #expect(customer.activeDays[1]?.last == Self.day(2, 20))
            #expect(customer.activeDays[2] == nil, "a complaint is not activity")
            // What the scorer is told, applied to what it held, is what is stored: only the months
            // from February on were read and rewritten.
            let told = try #require(first.updated.first { $0.crm == 42 })
            #expect(told.fromMonth == MonthlyActivity.monthIndex(year: 2025, month: 2))
            #expect(told.hasEarlierMonths)
            #expect(told.months.count == 2)
            let held = try #require(told.applied(to: Self.stored))
            #expect(held.months.map(\.netRevenue) == customer.months.map(\.netRevenue))
            #expect(held.activeDays.map { $0?.last } == customer.activeDays.map { $0?.last })
            #expect(held.contractStartDay == customer.contractStartDay)
            let new = try #require(first.updated.first { $0.crm == 77 })
            #expect(!new.hasEarlierMonths)
            #expect(new.applied(to: nil)?.months.map(\.netRevenue) == [5])
            // Not held, with earlier months the holder lacks: not applied.
            #expect(told.applied(to: nil) == nil)

            // A KAG change in January reaches every later month; a contract start every row.
            let contract = try await ledger.record([
                [
                    Self.event("k1", .kagChange, month: 1, day: 9, kagDelta: 5),
                    Self.event("cs", .contractStart, month: 1, day: 2),
                ]
            ])
            #expect(contract.accepted == [2])
            let changed = try #require(try await store.customers().customers.first { $0.crm == 42 })
            #expect(changed.months.map(\.kagCount) == [15, 15, 15])
            #expect(changed.contractStartDay == Self.day(1, 2))
            let contractUpdate = try #require(contract.updated.first)
            let heldNow = try #require(contractUpdate.applied(to: held))
            #expect(heldNow.months.map(\.kagCount) == [15, 15, 15])
            #expect(heldNow.contractStartDay == Self.day(1, 2))
            // Only a contract start: no month rewritten.
            let onlyContract = try await ledger.record([[Self.event("cs2", .contractStart, month: 1, day: 3)]])
            let contractOnly = try #require(onlyContract.updated.first)
            #expect(contractOnly.fromMonth == Int.max)
            #expect(contractOnly.applied(to: heldNow)?.months.count == 3)
            #expect(try await store.customers().customers.first { $0.crm == 42 }?.contractStartDay == Self.day(1, 3))

            // Sent again, nothing changes; a third survey keeps the mean right.
            let again = try await ledger.record([[Self.event("p1", .purchase, month: 2, day: 20, amount: 100)]])
            #expect(again.accepted == [0])
            #expect(again.duplicates == [1])
            #expect(again.updated.map(\.crm) == [42], "a replay changes nothing; its customer is read back")
            _ = try await ledger.record([[Self.event("s2", .satisfaction, month: 2, day: 22, amount: 10)]])
            let after = try #require(try await store.customers().customers.first { $0.crm == 42 })
            #expect(after.months[1].satisfaction == 8)
            #expect(after.months.map(\.netRevenue) == [1_000, 1_000, 0])
            #expect(after.months.map(\.kagCount) == [15, 15, 15], "months before the event's are kept as they were")

            // Replacing the histories forgets the events that belonged to them.
            try await store.replace(with: [Self.stored])
            #expect(
                try await ledger.record([[Self.event("p1", .purchase, month: 2, day: 20, amount: 100)]]).accepted == [1]
            )
        }
    }

    @Test("each commit that changes a customer gives it one more version, carried by its update and by loads")
    func versionsCountCommits() async throws {
        try await TestRegistry.with { registry, _ in
            let store = CustomerHistoryStore(client: registry.client, logger: TestRegistry.logger)
            let generation = try await store.replace(with: [Self.stored])
            #expect(generation == 1, "the first replace: no version before it")
            #expect(try await store.customers().customers.map(\.version) == [generation])
            let ledger = ActivityLedger(client: registry.client, logger: TestRegistry.logger)
            let first = try await ledger.record([[Self.event("v1", .purchase, month: 2, day: 20, amount: 1)]])
            #expect(first.updated.map(\.version) == [generation + 1])
            let second = try await ledger.record([
                [
                    Self.event("v2", .complaint, month: 3, day: 1),
                    Self.event("v3", crm: 77, .purchase, month: 3, day: 2),
                ]
            ])
            let versions = Dictionary(uniqueKeysWithValues: second.updated.map { ($0.crm, $0.version) })
            #expect(versions[42] == generation + 2)
            // A first version comes from a sequence (each commit draws one per customer it
            // locks): above the replace's generation, whatever the number.
            let first77 = try #require(versions[77])
            #expect(first77 > generation)
            let replayed = try await ledger.record([[Self.event("v2", .complaint, month: 3, day: 1)]])
            #expect(
                replayed.updated.map(\.version) == [generation + 2],
                "a duplicate changes nothing, not the version either"
            )
            let loaded = try await store.customers().customers
            #expect(loaded.map { "\($0.crm):\($0.version)" } == ["42:\(generation + 2)", "77:\(first77)"])
        }
    }

    @Test(
        "a replace of every history gives its customers a generation above every version, and snapshots that miss it find it"
    )
    func replaceGivesAGeneration() async throws {
        try await TestRegistry.with { registry, _ in
            let store = CustomerHistoryStore(client: registry.client, logger: TestRegistry.logger)
            try await store.replace(with: [Self.stored])
            let ledger = ActivityLedger(client: registry.client, logger: TestRegistry.logger)
            for index in 0..<3 {
                _ = try await ledger.record([[Self.event("g\(index)", .purchase, month: 2, day: 20, amount: 1)]])
            }
            _ = try await ledger.record([[Self.event("g-new", crm: 77, .purchase, month: 3, day: 2)]])
            let before = try await store.customers()
            #expect(before.customers.map(\.crm) == [42, 77] && before.customers[0].version == 4)
            var other = Self.stored
            other.crm = 55
            let generation = try await store.replace(with: [Self.stored, other])
            #expect(before.customers.allSatisfy { $0.version < generation }, "above every version before")
            let after = try await store.customers()
            #expect(
                after.customers.map { "\($0.crm):\($0.version)" } == ["42:\(generation)", "55:\(generation)"],
                "77 is gone"
            )
            #expect(after.customers[0].months.map(\.netRevenue) == [1_000, 900], "the events are forgotten")
            let next = try await ledger.record([
                [
                    Self.event("g-after", .purchase, month: 3, day: 2),
                    Self.event("g-77", crm: 77, .purchase, month: 3, day: 3),
                ]
            ])
            #expect(next.accepted == [2])
            #expect(next.updated.allSatisfy { $0.version > generation }, "\(next.updated.map(\.version))")
            let found = try await registry.client.withConnection { connection in
                (
                    try await CustomerHistoryStore.replacement(
                        after: before.snapshot,
                        on: connection,
                        logger: TestRegistry.logger
                    ),
                    try await CustomerHistoryStore.replacement(
                        after: after.snapshot,
                        on: connection,
                        logger: TestRegistry.logger
                    )
                )
            }
            #expect(found.0 == generation, "a snapshot from before the replace does not see it")
            #expect(found.1 == nil, "one from after it does")
        }
    }

    @Test("a duplicate brings back its customer as stored: a scorer that acknowledges it serves it")
    func duplicatesReadTheirCustomersBack() async throws {
        try await TestRegistry.with { registry, _ in
            let store = CustomerHistoryStore(client: registry.client, logger: TestRegistry.logger)
            try await store.replace(with: [Self.stored])
            let ledger = ActivityLedger(client: registry.client, logger: TestRegistry.logger)
            // Committed, but its answer lost: the scorer that sent it never updated its book.
            let lost = [Self.event("l1", .purchase, month: 2, day: 20, amount: 50)]
            _ = try await ledger.record([lost])
            // Sent again with a new event of another customer.
            let again = try await ledger.record([
                lost + [Self.event("l2", crm: 77, .purchase, month: 3, day: 1, amount: 5)]
            ])
            #expect(again.accepted == [1] && again.duplicates == [1])
            #expect(again.updated.map(\.crm) == [77, 42], "the new event's customer, then the duplicate's")
            let book = try CustomerBook(customers: [Self.stored], scoringDay: .fixed(Self.day(3, 31)))
            book.apply(again.updated)
            #expect(book.stored(crm: 42, productGroup: Self.group)?.months.map(\.netRevenue) == [1_000, 950])
            // Only duplicates: read back under their own locks.
            let only = try await ledger.record([lost])
            #expect(only.accepted == [0] && only.updated.map(\.crm) == [42])
            #expect(only.updated.first?.version == 2, "the replace's generation 1, then the lost commit")
        }
    }

    @Test("a commit of 30,000 customers' events fits PostgreSQL's lock table", .onComputeThreads)
    func manyCustomersInOneCommit() async throws {
        try await TestRegistry.with { registry, _ in
            let ledger = ActivityLedger(client: registry.client, logger: TestRegistry.logger)
            // Past the 20,000-25,000 locks at which one lock per customer ran out of shared memory
            // here; the writer may put up to 100,000 events in one commit.
            let events = (0..<30_000).map {
                Self.event("m\($0)", crm: UInt64(1_000_000 + $0), .purchase, month: 3, day: 2, amount: 1)
            }
            let outcome = try await ledger.record([events])
            #expect(outcome.accepted == [30_000])
            #expect(outcome.updated.count == 30_000)
        }
    }

    @Test("a commit whose notification fails is reported as failed and records nothing")
    func failedNotificationIsNotAcknowledged() async throws {
        try await TestRegistry.with { registry, _ in
            // A source this long makes every notification exceed PostgreSQL's 8,000-byte payload:
            // the last statement of the transaction fails after its row description.
            let ledger = ActivityLedger(
                client: registry.client,
                logger: TestRegistry.logger,
                source: String(repeating: "s", count: 8_100)
            )
            await #expect {
                _ = try await ledger.record([[Self.event("p1", .purchase, month: 2, day: 20, amount: 100)]])
            } throws: { error in
                (error as? RegistryError)?.message.contains("payload string too long") == true
            }
            let rows = try await registry.client.query("SELECT count(*)::int FROM activity_events")
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
        }
    }

    @Test("a commit that cannot lock its customers reports the lock's error, not the aborted transaction")
    func lockTimeoutIsTheReportedError() async throws {
        try await TestRegistry.with { registry, url in
            // The test database's name is made of letters and hex digits only.
            try await registry.client.query(
                PostgresQuery(unsafeSQL: "ALTER DATABASE \(url.database) SET lock_timeout = '200ms'")
            )
            // A client opened after the setting, so that its connections have it.
            let client = PostgresClient(configuration: url.configuration, backgroundLogger: TestRegistry.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let ledger = ActivityLedger(client: client, logger: TestRegistry.logger)
                try await registry.client.withConnection { holder in
                    // Customer 42's lock bucket, held by another session.
                    try await holder.perform(
                        """
                        SELECT pg_advisory_lock(\(ActivityLedger.lockNamespace),
                            (hashtextextended(\(Self.group), 42) & \(ActivityLedger.lockBuckets - 1))::int)::text
                        """,
                        logger: TestRegistry.logger
                    )
                    await #expect {
                        _ = try await ledger.record([[Self.event("p1", .purchase, month: 2, day: 20, amount: 100)]])
                    } throws: { error in
                        (error as? RegistryError)?.message.contains("lock timeout") == true
                    }
                    try await holder.perform("SELECT pg_advisory_unlock_all()::text", logger: TestRegistry.logger)
                }
            }
        }
    }

    @Test("the writer acknowledges a batch only after its commit, having told the scorer first")
    func writerCommitsThenAcknowledges() async throws {
        try await TestRegistry.with { registry, url in
            try await CustomerHistoryStore(client: registry.client, logger: TestRegistry.logger).replace(with: [
                Self.stored
            ])
            let told = NIOLockedValueBox<[UInt64]>([])
            let writer = IngestWriter(url: url, logger: TestRegistry.logger) { customers in
                told.withLockedValue { $0 += customers.map(\.crm) }
            }
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let services = ServiceGroup(services: [writer], logger: TestRegistry.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await services.run() }
                let batches = (0..<20).map { index in
                    [Self.event("w\(index)", crm: UInt64(100 + index % 4), .purchase, month: 3, day: 2, amount: 1)]
                }
                let futures = batches.map { writer.submit($0, on: loop) }
                for future in futures {
                    let counts = try await future.get()
                    #expect(counts == IngestWriter.Counts(accepted: 1, duplicates: 0))
                }
                #expect(Set(told.withLockedValue { $0 }) == [100, 101, 102, 103])
                // Queued when shutdown begins: still committed before the writer returns.
                let last = writer.submit([Self.event("last", .purchase, month: 3, day: 3, amount: 2)], on: loop)
                await services.triggerGracefulShutdown()
                #expect(try await last.get().accepted == 1)
                try await group.next()
                await #expect(throws: IngestWriter.Failure.self) {
                    try await writer.submit([Self.event("late", .purchase, month: 3, day: 3)], on: loop).get()
                }
            }
            let stored = try await CustomerHistoryStore(client: registry.client, logger: TestRegistry.logger)
                .customers()
            #expect(stored.customers.first { $0.crm == 42 }?.months.last?.netRevenue == 2)
            #expect(stored.customers.filter { $0.crm >= 100 }.map { $0.months[0].netRevenue } == [5, 5, 5, 5])
        }
    }

    @Test("with the database down a batch fails within the commit timeout and nothing is recorded")
    func writerDatabaseDown() async throws {
        // Nothing listens on port 1.
        let url = try DatabaseURL("postgres://churnguard:x@127.0.0.1:1/churnguard")
        let writer = IngestWriter(
            url: url,
            configuration: .init(commitTimeout: .milliseconds(500)),
            logger: TestRegistry.logger
        ) { _ in Issue.record("nothing was committed") }
        let services = ServiceGroup(services: [writer], logger: TestRegistry.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            do {
                _ = try await writer.submit([Self.event("d1", .purchase, month: 3, day: 2, amount: 1)], on: loop).get()
                Issue.record("a batch was acknowledged with the database down")
            } catch let failure as IngestWriter.Failure {
                guard case .database = failure else {
                    Issue.record("unexpected \(failure)")
                    return
                }
            }
            await services.triggerGracefulShutdown()
            try await group.next()
        }
    }

    @Test("the database goes away while events are ingested: every event ends up recorded exactly once")
    func databaseOutageLosesNothing() async throws {
        try await Self.withDedicatedPostgres { url, directory in
            try await Self.ingestThroughAnOutage(url: url, directory: directory)
        }
    }

    /// Runs `body` with a PostgreSQL server of its own (which it may stop and start), stopped and
    /// removed afterwards.
    static func withDedicatedPostgres(_ body: (DatabaseURL, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-pg-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = try DatabaseURL(try await TestPostgres.startDedicated(directory: directory))
        do {
            try await body(url, directory)
        } catch {
            try? await TestPostgres.stopDedicated(directory: directory)
            throw error
        }
        try await TestPostgres.stopDedicated(directory: directory)
    }

    static func ingestThroughAnOutage(url: DatabaseURL, directory: String) async throws {
        let admin = PostgresClient(configuration: url.configuration, backgroundLogger: TestRegistry.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
            try await Migrator(client: admin, logger: TestRegistry.logger).migrate()
            try await CustomerHistoryStore(client: admin, logger: TestRegistry.logger).replace(with: [Self.stored])
        }

        let writer = IngestWriter(
            url: url,
            configuration: .init(commitTimeout: .seconds(1)),
            logger: TestRegistry.logger
        ) { _ in }
        let services = ServiceGroup(services: [writer], logger: TestRegistry.logger)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        // 40 batches of 2 purchases of 1 each, for customer 42 in March, sent every 50 ms; the
        // database stops after the 10th and starts again after the 25th.
        let batches = (0..<40).map { batch in
            (0..<2).map { Self.event("o\(batch)-\($0)", .purchase, month: 3, day: 1 + batch % 28, amount: 1) }
        }
        var failed: [Int] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            for (index, batch) in batches.enumerated() {
                if index == 10 { try await TestPostgres.stopDedicated(directory: directory) }
                if index == 25 { _ = try await TestPostgres.startDedicated(directory: directory) }
                do {
                    _ = try await writer.submit(batch, on: loop).get()
                } catch is IngestWriter.Failure {
                    failed.append(index)
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(!failed.isEmpty, "the outage failed some batches")
            // The caller retries what failed (the pool may take a while to reconnect); a batch
            // that committed after its deadline comes back as duplicates.
            let deadline = ContinuousClock.now + .seconds(90)
            var retried = 0
            while let index = failed.first, ContinuousClock.now < deadline {
                if let counts = try? await writer.submit(batches[index], on: loop).get() {
                    #expect(counts.accepted + counts.duplicates == 2)
                    failed.removeFirst()
                    retried += 1
                } else {
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            #expect(failed.isEmpty, "batches still failing after the database came back: \(failed)")
            await services.triggerGracefulShutdown()
            try await group.next()
        }

        let check = PostgresClient(configuration: url.configuration, backgroundLogger: TestRegistry.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await check.run() }
            defer { group.cancelAll() }
            let rows = try await check.query("SELECT count(*), count(DISTINCT event_id) FROM activity_events")
            for try await (count, distinct) in rows.decode((Int64, Int64).self) {
                #expect(count == 80 && distinct == 80)
            }
            let stored = try await CustomerHistoryStore(client: check, logger: TestRegistry.logger).customers()
            let customer = try #require(stored.customers.first { $0.crm == 42 })
            // January and February as stored; March holds the 80 purchases of 1, each once.
            #expect(customer.months.map(\.netRevenue) == [1_000, 900, 80])
        }
    }

    @Test("after a long outage the writer commits again within seconds of the database's return")
    func writerRecoversPromptlyAfterALongOutage() async throws {
        try await Self.withDedicatedPostgres { url, directory in
            let recovery = try await Self.recoveryAfterAnOutage(url: url, directory: directory, outage: .seconds(75))
            // The pool of a client that lived through the outage tries again only every ~15 s by
            // then (its backoff grows with the outage, to a minute); a fresh client at once.
            #expect(recovery < .seconds(5), "the first commit after the restart took \(recovery)")
        }
    }

    /// How long after the database's restart the writer's first commit succeeds, when batches kept
    /// coming (and failing) through an outage of `outage`.
    static func recoveryAfterAnOutage(url: DatabaseURL, directory: String, outage: Duration) async throws -> Duration {
        let admin = PostgresClient(configuration: url.configuration, backgroundLogger: TestRegistry.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
            try await Migrator(client: admin, logger: TestRegistry.logger).migrate()
        }
        let writer = IngestWriter(
            url: url,
            configuration: .init(commitTimeout: .seconds(2)),
            logger: TestRegistry.logger
        ) {
            _ in
        }
        let services = ServiceGroup(services: [writer], logger: TestRegistry.logger)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            defer { group.cancelAll() }
            // Connected before the outage (a loaded machine may take more than one try).
            var connected = false
            for _ in 0..<30 where !connected {
                connected =
                    (try? await writer.submit([Self.event("before", .purchase, month: 3, day: 1, amount: 1)], on: loop)
                        .get()) != nil
            }
            try #require(connected, "the writer never committed before the outage")
            try await TestPostgres.stopDedicated(directory: directory)
            let back = ContinuousClock.now + outage
            var sent = 0
            while ContinuousClock.now < back {
                sent += 1
                _ = try? await writer.submit(
                    [Self.event("during\(sent)", .purchase, month: 3, day: 2, amount: 1)],
                    on: loop
                )
                .get()
                try await Task.sleep(for: .milliseconds(200))
            }
            _ = try await TestPostgres.startDedicated(directory: directory)
            let restarted = ContinuousClock.now
            while ContinuousClock.now - restarted < .seconds(120) {
                if (try? await writer.submit([Self.event("after", .purchase, month: 3, day: 3, amount: 1)], on: loop)
                    .get()) != nil
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let recovery = ContinuousClock.now - restarted
            await services.triggerGracefulShutdown()
            return recovery
        }
    }
}
