import ChurnCertificates
import ChurnClient
import ChurnModel
import ChurnScorer
import ChurnTesting
import ChurnTransport
import ChurnWire
import Testing

@Suite("Scorer node through ChurnClient")
struct ScorerServiceTests {
    static let row: [Double] = [45, 14, 8_000, -0.25, -0.2, 0.09, 0.07, 0.5, 2.1, 7]

    /// A client of the test scorer. The timeout is generous: the whole test run shares 2 cores.
    static func client(_ port: Int, _ pki: TestCertificates) -> ChurnClientConfiguration {
        ChurnClientConfiguration(
            target: .init(host: "127.0.0.1", port: port),
            tls: pki.clientTLS(),
            defaultTimeout: .seconds(30)
        )
    }

    @Test("by CRM number alone through mutual TLS: a score, a batch and a trend from the held histories")
    func byCRMNumber() async throws {
        let book = try CustomerBook(
            customers: [CustomerBookTests.customer(crm: 4711), CustomerBookTests.customer(crm: 4712)],
            scoringDay: .fixed(CustomerBookTests.marchEnd)
        )
        let model = TrainedModel.demo()
        let features = try #require(try book.features(crm: 4711, productGroup: "fuel_cards"))
        try await withTestScorer(customers: book) { port, pki, _ in
            try await ChurnClient.withClient(configuration: Self.client(port, pki), logger: quietLogger()) { client in
                let answer = try await client.score(ScoreRequest(crm: 4711, productGroup: "fuel_cards"))
                #expect(answer.probability == (try model.probability(features)))

                let frames = AsyncStream<ScoreBatchRequest> { continuation in
                    continuation.yield(ScoreBatchRequest(crms: [4711, 4712], productGroup: "fuel_cards"))
                    continuation.finish()
                }
                let batch = try await client.scoreBatch(frames) { answers in
                    var probabilities: [Double] = []
                    for try await frame in answers { probabilities += frame.probabilities }
                    return probabilities
                }
                #expect(batch == [answer.probability, answer.probability])

                let trend = try await client.trend(TrendRequest(crm: 4711, productGroup: "fuel_cards", months: 6))
                #expect(trend.months.map(\.yearMonth) == [202510, 202511, 202512, 202601, 202602, 202603])

                await #expect {
                    _ = try await client.score(ScoreRequest(crm: 1, productGroup: "fuel_cards"))
                } throws: { error in
                    (error as? RPCError)?.status == .notFound
                }
            }
        }
    }

    @Test("health, a score and a streamed batch through mutual TLS equal the model's own answers")
    func endToEnd() async throws {
        let model = TrainedModel.demo()
        try await withTestScorer { port, pki, _ in
            try await ChurnClient.withClient(configuration: Self.client(port, pki), logger: quietLogger()) { client in
                let health = try await client.health()
                #expect(health.state == .serving)
                #expect(health.nodeId == "test-scorer")
                #expect(health.model.featureSchemaHash == model.schema.hash)

                let answer = try await client.score(
                    ScoreRequest(
                        crm: 9,
                        featureSchemaHash: health.model.featureSchemaHash,
                        features: Self.row,
                        topDrivers: 2
                    )
                )
                #expect(answer.probability == (try model.probability(Self.row)))
                #expect(answer.drivers.count == 2)
                #expect(answer.model.name == "churn-demo")

                let frames = (0..<20).map { frame in
                    ScoreBatchRequest(
                        featureSchemaHash: health.model.featureSchemaHash,
                        featureCount: 10,
                        crms: (0..<500).map { UInt64(frame * 500 + $0) },
                        features: Array((0..<500).map { _ in Self.row }.joined())
                    )
                }
                let probabilities = try await client.scoreBatch(AsyncFrames(frames)) { answers in
                    var all: [Double] = []
                    for try await answer in answers { all += answer.probabilities }
                    return all
                }
                #expect(probabilities.count == 10_000)
                #expect(probabilities.allSatisfy { $0 == answer.probability })
            }
        }
    }

    @Test("a one-frame batch through the client answers every row as the model does; a bad frame is not retried")
    func oneFrameBatch() async throws {
        let model = TrainedModel.demo()
        try await withTestScorer { port, pki, _ in
            try await ChurnClient.withClient(configuration: Self.client(port, pki), logger: quietLogger()) { client in
                let hash = try await client.health().model.featureSchemaHash
                // Rows that differ: the demo row with its first feature stepped per row.
                let rows = (0..<1_000).map { index in
                    var row = Self.row
                    row[0] += Double(index % 50)
                    return row
                }
                let answer = try await client.scoreBatch(
                    ScoreBatchRequest(
                        featureSchemaHash: hash,
                        featureCount: 10,
                        crms: (0..<1_000).map { UInt64(7_000 + $0) },
                        features: Array(rows.joined())
                    )
                )
                #expect(answer.crms == (0..<1_000).map { UInt64(7_000 + $0) })
                let expected = try rows.map { try model.probability($0) }
                #expect(answer.probabilities == expected)

                do {
                    _ = try await client.scoreBatch(
                        ScoreBatchRequest(featureSchemaHash: hash, featureCount: 10, crms: [1], features: [1, 2, 3])
                    )
                    Issue.record("a frame of 3 values for 10 features was scored")
                } catch let error as RPCError {
                    #expect(error.status == .invalidArgument)
                    #expect(!error.isRetryable)
                }
            }
        }
    }

    @Test("a mismatched feature schema is a typed error naming the field, and is not retried")
    func schemaMismatch() async throws {
        try await withTestScorer { port, pki, _ in
            try await ChurnClient.withClient(configuration: Self.client(port, pki), logger: quietLogger()) { client in
                do {
                    _ = try await client.score(ScoreRequest(crm: 1, featureSchemaHash: 42, features: Self.row))
                    Issue.record("scored with the wrong schema")
                } catch let error as RPCError {
                    #expect(error.status == .invalidArgument)
                    #expect(error.field == "feature_schema_hash")
                    #expect(!error.isRetryable)
                }
            }
        }
    }

    @Test(
        "a scorer that is not there is unavailable after the retries, within the deadline, for calls and one-frame batches"
    )
    func unreachable() async throws {
        let pki = try TestCertificates()
        defer { pki.remove() }
        // A port nothing listens on: bind one, note it, release it.
        let port = try await withTestServer(router: RPCRouter(), tls: pki.serverTLS()) { $0 }
        var configuration = Self.client(port, pki)
        configuration.defaultTimeout = .seconds(20)
        let clock = ContinuousClock()
        let started = clock.now
        try await ChurnClient.withClient(configuration: configuration, logger: quietLogger()) { client in
            do {
                _ = try await client.health()
                Issue.record("answered from nowhere")
            } catch let error as RPCError {
                #expect(error.status == .unavailable)
            }
            do {
                _ = try await client.scoreBatch(ScoreBatchRequest(featureCount: 10, crms: [1], features: Self.row))
                Issue.record("a batch answered from nowhere")
            } catch let error as RPCError {
                #expect(error.status == .unavailable)
            }
        }
        #expect(clock.now - started < .seconds(20))
    }

    @Test("the retry policy backs off exponentially, capped, and honours retry_after_ms")
    func backoff() {
        let policy = RetryPolicy(maxAttempts: 5, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(50))
        let error = RPCError(.unavailable, "x")
        #expect(policy.backoff(after: 1, error: error) == .milliseconds(10))
        #expect(policy.backoff(after: 2, error: error) == .milliseconds(20))
        #expect(policy.backoff(after: 3, error: error) == .milliseconds(40))
        #expect(policy.backoff(after: 4, error: error) == .milliseconds(50))
        var overloaded = RPCError(.overloaded, "slow down")
        overloaded.retryAfterMs = 30
        #expect(policy.backoff(after: 1, error: overloaded) == .milliseconds(30))
        #expect(overloaded.isRetryable)
        #expect(!RPCError(.deadlineExceeded, "late").isRetryable)
    }
}

/// A fixed list of frames as an async sequence.
struct AsyncFrames: AsyncSequence, Sendable {
    typealias Element = ScoreBatchRequest
    let frames: [ScoreBatchRequest]
    init(_ frames: [ScoreBatchRequest]) { self.frames = frames }
    func makeAsyncIterator() -> Iterator { Iterator(frames: self.frames) }
    struct Iterator: AsyncIteratorProtocol {
        var frames: [ScoreBatchRequest]
        var index = 0
        mutating func next() async -> ScoreBatchRequest? {
            guard self.index < self.frames.count else { return nil }
            defer { self.index += 1 }
            return self.frames[self.index]
        }
    }
}
