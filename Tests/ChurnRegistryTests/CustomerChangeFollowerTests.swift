import ChurnModel
import ChurnScorer
import ChurnTesting
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Testing

@testable import ChurnRegistry

/// Two scorers' books on one database: events ingested through one reach the other's book by
/// LISTEN/NOTIFY, and what was committed while the other was not listening by its reload.
@Suite("Following other scorers' customer changes")
struct CustomerChangeFollowerTests {
    static func follower(url: DatabaseURL, source: String, book: CustomerBook) -> CustomerChangeFollower {
        CustomerChangeFollower(
            url: url,
            source: source,
            logger: TestRegistry.logger,
            maxBackoff: .milliseconds(200),
            changeMark: { book.changeMark },
            apply: { book.apply($0) },
            replaceAll: { book.replaceAll(with: $0, keepingChangesAfter: $1) }
        )
    }

    static func eventually(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("not within 60 s: \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("events ingested through one scorer reach another's book, and a gap in listening is caught up")
    func followsAndCatchesUp() async throws {
        try await TestRegistry.with { registry, url in
            let store = CustomerHistoryStore(client: registry.client, logger: TestRegistry.logger)
            try await store.replace(with: [IngestTests.stored])
            let loaded = try await store.customers().customers
            let scoring = ScoringDay.fixed(IngestTests.day(3, 31))
            let bookA = try CustomerBook(customers: loaded, scoringDay: scoring)
            let bookB = try CustomerBook(customers: loaded, scoringDay: scoring)
            let writer = IngestWriter(url: url, source: "a", logger: TestRegistry.logger) { bookA.apply($0) }
            let followerA = Self.follower(url: url, source: "a", book: bookA)
            let followerB = Self.follower(url: url, source: "b", book: bookB)
            let services = ServiceGroup(services: [writer, followerA, followerB], logger: TestRegistry.logger)
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            func revenue(_ book: CustomerBook, _ crm: UInt64 = 42) -> Double? {
                book.history(crm: crm, productGroup: IngestTests.group)?.history.months.last?.netRevenue
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await services.run() }
                try await Self.eventually("both followers listen") { followerA.isListening && followerB.isListening }

                _ = try await writer.submit(
                    [
                        IngestTests.event("f1", .purchase, month: 3, day: 10, amount: 70),
                        IngestTests.event("f2", crm: 77, .purchase, month: 3, day: 11, amount: 7),
                    ],
                    on: loop
                ).get()
                #expect(revenue(bookA) == 70, "the writer's own book at once")
                try await Self.eventually("B follows A's commit") { revenue(bookB) == 70 && revenue(bookB, 77) == 7 }
                #expect(bookB.history(crm: 42, productGroup: IngestTests.group)?.history.months.count == 3)
                #expect(followerA.statistics.customersFollowed == 0, "a scorer skips its own commits")

                // Every other session is cut (B's LISTEN among them); A commits while B reconnects;
                // B reloads and has it, whether or not its LISTEN was back in time for the commit.
                let reloads = followerB.statistics.reloads
                let cut = try await registry.client.query(
                    """
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid()
                    """
                )
                for try await count in cut.decode(Int64.self) { #expect(count >= 1) }
                let event = IngestTests.event("f3", .purchase, month: 3, day: 12, amount: 30)
                while (try? await writer.submit([event], on: loop).get()) == nil {
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await Self.eventually("B reloads after reconnecting") {
                    followerB.statistics.reloads > reloads && revenue(bookB) == 100
                }
                await services.triggerGracefulShutdown()
                try await group.next()
            }
        }
    }

    @Test("payloads are cut under PostgreSQL's limit and read back")
    func payloads() {
        let customers = (0..<500).map {
            (crm: UInt64(4_000_000 + $0), fromMonth: 24_300 + $0 % 3, productGroup: "fuel_cards")
        }
        let payloads = ActivityLedger.payloads(source: "scorer-1/ab12", customers)
        #expect(payloads.count > 1)
        #expect(payloads.allSatisfy { $0.utf8.count <= 7_000 })
        let parsed = payloads.compactMap(CustomerChangeFollower.parse)
        #expect(parsed.count == payloads.count)
        #expect(parsed.allSatisfy { $0.source == "scorer-1/ab12" })
        #expect(parsed.flatMap(\.customers).map(\.crm) == customers.map(\.crm))
        #expect(CustomerChangeFollower.parse("s\nnot a line") == nil)
    }
}
