import ChurnClient
import ChurnModel
import ChurnRegistry
import ChurnScorer
import ChurnTesting
import ChurnTransport
import ChurnWire
import Foundation
import NIOCore
import Testing

/// Ingest through a real scorer over TLS, into a real PostgreSQL: the scorer answers once the
/// events are committed, and its next score of the customer already reads them.
@Suite("Ingest through a scorer")
struct IngestServingTests {
    @Test("unary and streamed ingest are answered once committed; the next score reads the events")
    func ingestThenScore() async throws {
        try await TestRegistry.with { (registry: ModelRegistry, url: DatabaseURL) async throws in
            let store = CustomerHistoryStore(client: registry.client, logger: TestRegistry.logger)
            try await store.replace(with: [IngestTests.stored])
            let book = try CustomerBook(
                customers: try await store.customers().customers,
                scoringDay: .fixed(IngestTests.day(3, 31))
            )
            let writer = IngestWriter(url: url, logger: TestRegistry.logger) { book.apply($0) }
            let pki = try TestCertificates()
            defer { pki.remove() }
            let server = RPCServerConfiguration(port: 0, tls: pki.serverTLS(), handshakeTimeout: .seconds(120))
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let scorer = try ScorerService(
                configuration: ScorerConfiguration(nodeID: "ingest-scorer", server: server),
                model: try TestRegistry.model(),
                logger: quietLogger(),
                listening: { _, port in
                    continuation.yield(port)
                    continuation.finish()
                },
                customers: book,
                ingest: { events, loop in
                    writer.submit(events, on: loop).map {
                        IngestHandlers.Recorded(accepted: $0.accepted, duplicates: $0.duplicates)
                    }.flatMapErrorThrowing { throw RPCError(.unavailable, "\($0)") }
                }
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await writer.run() }
                defer { group.cancelAll() }
                try await withListeningService(scorer.run, ports: ports) { port in
                    let configuration = ChurnClientConfiguration(
                        target: .init(host: "127.0.0.1", port: port),
                        tls: pki.clientTLS(),
                        defaultTimeout: .seconds(30)
                    )
                    try await ChurnClient.withClient(configuration: configuration, logger: quietLogger()) { client in
                        let customer = ScoreRequest(crm: 42, productGroup: IngestTests.group, topDrivers: 10)
                        func revenue(_ answer: ScoreResponse) -> Double? {
                            answer.drivers.first { $0.name == "revenue_3m" }?.value
                        }
                        let before = try await client.score(customer)
                        func purchase(_ id: String, _ amount: Double) -> ActivityEvent {
                            ActivityEvent(
                                eventId: id,
                                crm: 42,
                                productGroup: IngestTests.group,
                                occurredAtMs: Int64(IngestTests.day(3, 30)) * 86_400_000,
                                kind: .purchase,
                                amount: amount
                            )
                        }
                        let unary = try await client.ingest(IngestRequest(events: [purchase("u1", 40_000)]))
                        #expect(unary == IngestResponse(accepted: 1, duplicates: 0))
                        let after = try await client.score(customer)
                        // Its three months to March: January 1,000, February 900, March the purchase.
                        #expect(revenue(before) == 1_900)
                        #expect(revenue(after) == 41_900, "the purchase was read at once")

                        // Three batches on one stream: one answer each, in order; the second repeats u1.
                        let batches = [
                            IngestRequest(events: [purchase("s1", 1), purchase("s2", 2)]),
                            IngestRequest(events: [purchase("u1", 40_000), purchase("s3", 3)]),
                            IngestRequest(events: [purchase("s4", 4)]),
                        ]
                        let requests = AsyncStream<IngestRequest> { stream in
                            for batch in batches { stream.yield(batch) }
                            stream.finish()
                        }
                        let answers = try await client.ingestStream(requests) { responses in
                            var answers: [IngestResponse] = []
                            for try await response in responses { answers.append(response) }
                            return answers
                        }
                        #expect(
                            answers == [
                                IngestResponse(accepted: 2, duplicates: 0),
                                IngestResponse(accepted: 1, duplicates: 1),
                                IngestResponse(accepted: 1, duplicates: 0),
                            ]
                        )
                        let trend = try await client.trend(
                            TrendRequest(crm: 42, productGroup: IngestTests.group, months: 1)
                        )
                        #expect(trend.months.last?.netRevenue == 40_010)
                        // A bad event refuses its request, naming it; nothing of it is recorded.
                        var bad = purchase("", 1)
                        bad.eventId = ""
                        await #expect(throws: RPCError.self) {
                            _ = try await client.ingest(IngestRequest(events: [purchase("never", 5), bad]))
                        }
                        #expect(
                            try await client.trend(TrendRequest(crm: 42, productGroup: IngestTests.group, months: 1))
                                .months.last?.netRevenue == 40_010
                        )
                    }
                }
            }
            let stored = try await store.customers().customers.first { $0.crm == 42 }
            #expect(stored?.months.last?.netRevenue == 40_010)
        }
    }
}
