import ChurnClient
import ChurnModel
import ChurnTesting
import ChurnTransport
import ChurnWire
import Foundation
import NIOConcurrencyHelpers
import PostgresNIO
import Testing

@testable import ChurnRegistry

/// The fault that matters most for ingest: a scorer process killed (SIGKILL, no drain) while calls
/// are being committed. What it acknowledged must be recorded; what it did not may or may not be,
/// and callers send it again.
@Suite("A scorer killed while it ingests")
struct ScorerKilledDuringIngestTests {
    /// What the callers saw: batches acknowledged and batches failed, by their event ids.
    struct Outcomes {
        var acknowledged: [[String]] = []
        var failed: [[String]] = []
    }

    @Test("events acknowledged before the kill are all recorded and applied once; the rest once more when sent again")
    func nothingAcknowledgedIsLost() async throws {
        let demo = try await DemoScorers.make("killed")
        defer { demo.remove() }
        // The first customer of the history, its last month and last active day.
        let rows = try String(contentsOfFile: demo.history, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let first = try #require(rows.first)
        let (crm, productGroup) = (UInt64(first[0])!, String(first[1]))
        let last = try #require(rows.last { UInt64($0[0]) == crm && String($0[1]) == productGroup })
        let month = String(last[2])
        let date = last[10].split(separator: "-").compactMap { Int($0) }
        try #require(date.count == 3)
        let day = CivilDate.days(year: date[0], month: date[1], day: date[2])

        let client = PostgresClient(configuration: demo.database.configuration, backgroundLogger: TestRegistry.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            func recorded() async throws -> (events: Int64, distinct: Int64, revenue: Double) {
                var result: (Int64, Int64, Double) = (0, 0, 0)
                let counts = try await client.query(
                    "SELECT count(*), count(DISTINCT event_id) FROM activity_events WHERE crm = \(Int64(crm))"
                )
                for try await (all, distinct) in counts.decode((Int64, Int64).self) {
                    (result.0, result.1) = (all, distinct)
                }
                let revenue = try await client.query(
                    """
                    SELECT coalesce(sum(net_revenue), 0) FROM customer_months
                    WHERE crm = \(Int64(crm)) AND product_group = \(productGroup) AND month = \(month + "-01")::date
                    """
                )
                for try await value in revenue.decode(Double.self) { result.2 = value }
                return result
            }
            let base = try await recorded()
            #expect(base.events == 0)

            // Senders ingest batches of 5 purchases of 1 each until told to stop; the scorer is
            // killed while they do.
            let first = try await demo.startScorer(1)
            let outcomes = NIOLockedValueBox(Outcomes())
            let stop = NIOLockedValueBox(false)
            let tls = ClientTLS(
                trustRoots: "\(demo.certs)/ca.pem",
                certificateChain: "\(demo.certs)/client.pem",
                privateKey: "\(demo.certs)/client.key"
            )
            func purchases(_ ids: [String]) -> IngestRequest {
                IngestRequest(
                    events: ids.map {
                        ActivityEvent(
                            eventId: $0,
                            crm: crm,
                            productGroup: productGroup,
                            occurredAtMs: Int64(day) * 86_400_000 + 3_600_000,
                            kind: .purchase,
                            amount: 1
                        )
                    }
                )
            }
            let configuration = ChurnClientConfiguration(
                target: .init(host: "127.0.0.1", port: first.port),
                tls: tls,
                defaultTimeout: .seconds(5),
                retry: RetryPolicy(maxAttempts: 1)
            )
            try await ChurnClient.withClient(configuration: configuration, logger: TestRegistry.logger) { scorer in
                try await withThrowingTaskGroup(of: Void.self) { senders in
                    for sender in 0..<8 {
                        senders.addTask {
                            var batch = 0
                            while !stop.withLockedValue({ $0 }) {
                                let ids = (0..<5).map { "k\(sender)-\(batch)-\($0)" }
                                batch += 1
                                do {
                                    let answer = try await scorer.ingest(purchases(ids))
                                    #expect(answer.accepted == 5)
                                    outcomes.withLockedValue { $0.acknowledged.append(ids) }
                                } catch {
                                    outcomes.withLockedValue { $0.failed.append(ids) }
                                    try await Task.sleep(for: .milliseconds(20))
                                }
                            }
                        }
                    }
                    // Killed once it has acknowledged a good number, mid-commit most likely.
                    while outcomes.withLockedValue({ $0.acknowledged.count }) < 200 {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    kill(first.process.processIdentifier, SIGKILL)
                    await first.process.exited()
                    while outcomes.withLockedValue({ $0.failed.count }) < 16 {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    stop.withLockedValue { $0 = true }
                    try await senders.waitForAll()
                }
            }
            let seen = outcomes.withLockedValue { $0 }
            let acknowledged = seen.acknowledged.flatMap { $0 }
            let afterKill = try await recorded()
            let present = try await client.query(
                "SELECT count(*) FROM activity_events WHERE event_id = ANY(\(acknowledged)::text[])"
            )
            for try await count in present.decode(Int64.self) {
                #expect(count == Int64(acknowledged.count), "every acknowledged event is recorded")
            }
            #expect(afterKill.events == afterKill.distinct)
            #expect(
                abs(afterKill.revenue - (base.revenue + Double(afterKill.events))) < 0.01,
                "each recorded event is applied to its month once, acknowledged or not"
            )

            // A scorer started again takes the failed batches: each comes back whole, as new
            // events or as duplicates of ones that committed before the kill.
            let second = try await demo.startScorer(2)
            defer { kill(second.process.processIdentifier, SIGKILL) }
            var again = configuration
            again.target = .init(host: "127.0.0.1", port: second.port)
            try await ChurnClient.withClient(configuration: again, logger: TestRegistry.logger) { scorer in
                for ids in seen.failed {
                    let answer = try await scorer.ingest(purchases(ids))
                    #expect(answer.accepted + answer.duplicates == 5)
                }
            }
            let total = Int64((seen.acknowledged.count + seen.failed.count) * 5)
            let end = try await recorded()
            #expect(end.events == total && end.distinct == total, "every event sent is recorded once")
            #expect(abs(end.revenue - (base.revenue + Double(total))) < 0.01, "and applied once: \(end.revenue)")
        }
    }
}
