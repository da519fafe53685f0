import ChurnClient
import ChurnModel
import ChurnTransport
import ChurnWire
import Foundation

/// What the demo's caller does with a running scorer; returns how many calls failed.
struct DemoCaller {
    let client: ChurnClient
    /// The customers whose histories the scorer holds, by CRM number and product group.
    let customers: [(crm: UInt64, group: String)]
    let calls: Int
    let rows: Int
    let frameRows: Int
    /// The day the scorer scores as of (days since 1970-01-01): the demo's events happen on it.
    let scoringDay: Int

    func run() async throws -> Int {
        var failures = 0
        let health = try await self.client.health()
        let model = health.model
        print(
            "Health: \(health.state), node \(health.nodeId), model \(model.name) v\(model.version) (\(model.alias)), feature schema \(Hex.fixed64(model.featureSchemaHash))"
        )

        let (scored, batchFailures) = try await self.scoreEveryCustomer()
        failures += batchFailures
        // Four customers across the range of risk: the safest, the median, the 90th percentile, the riskiest.
        let ranked = scored.sorted { $0.probability < $1.probability }
        let picks =
            ranked.isEmpty ? [] : [0, ranked.count / 2, ranked.count * 9 / 10, ranked.count - 1].map { ranked[$0] }
        print(
            "\nFour of them by CRM number alone, top 3 drivers each (the scorer derives the features from its history):"
        )
        for customer in picks {
            let started = ContinuousClock.now
            do {
                let answer = try await self.client.score(
                    ScoreRequest(crm: customer.crm, productGroup: customer.group, topDrivers: 3)
                )
                let elapsed = ContinuousClock.now - started
                print("\n(answered in \(Self.microseconds(elapsed)) µs)")
                print(ScoreAnswerText.render(answer))
            } catch {
                print("  CRM \(customer.crm): FAILED \(error)")
                failures += 1
            }
        }

        if picks.count > 1 { failures += try await self.ingestBadNews(for: picks[1]) }

        failures += try await self.timeUnaryCalls()
        failures += try await self.streamBatch(schemaHash: model.featureSchemaHash)

        print("\nCalls that cannot be scored get a typed error, not a wrong score:")
        do {
            _ = try await self.client.score(ScoreRequest(crm: 1, productGroup: "fuel_cards"))
            print("  unexpectedly answered")
            failures += 1
        } catch {
            print("  a customer the scorer has no history of: \(error)")
        }
        do {
            _ = try await self.client.score(
                ScoreRequest(crm: 1, featureSchemaHash: 0xDEAD_BEEF, features: [Double](repeating: 0, count: 10))
            )
            print("  unexpectedly answered")
            failures += 1
        } catch {
            print("  features of another schema: \(error)")
        }
        return failures
    }

    /// Ingest: a bad month for one customer — complaints, calls to the call centre, a poor
    /// survey — committed to PostgreSQL, then the same customer scored again; and the same
    /// events sent again, which change nothing.
    private func ingestBadNews(for customer: (crm: UInt64, group: String, probability: Double)) async throws -> Int {
        let at = Int64(self.scoringDay) * 86_400_000 + 9 * 3_600_000
        func event(_ number: Int, _ kind: ActivityKind, amount: Double = 0) -> ActivityEvent {
            ActivityEvent(
                eventId: "demo-\(customer.crm)-\(number)",
                crm: customer.crm,
                productGroup: customer.group,
                occurredAtMs: at + Int64(number) * 60_000,
                kind: kind,
                amount: amount
            )
        }
        let events =
            (0..<3).map { event($0, .complaint) } + (3..<5).map { event($0, .callCenterContact) }
            + [event(5, .satisfaction, amount: 1.5)]
        print(
            "\nIngest: CRM \(customer.crm) (\(customer.group)) complains 3 times, calls the call centre twice and "
                + "rates us 1.5 of 10 on \(CivilDate(days: self.scoringDay).text):"
        )
        do {
            let started = ContinuousClock.now
            let recorded = try await self.client.ingest(IngestRequest(events: events))
            print(
                "  committed to PostgreSQL in \(Self.microseconds(ContinuousClock.now - started)) µs: "
                    + "\(recorded.accepted) new, \(recorded.duplicates) already recorded"
            )
            let after = try await self.client.score(ScoreRequest(crm: customer.crm, productGroup: customer.group))
            print(
                "  scored again at once: probability \(String(format: "%.3f", customer.probability)) → "
                    + "\(String(format: "%.3f", after.probability)), risk band \(after.riskBand)"
            )
            let again = try await self.client.ingest(IngestRequest(events: events))
            print(
                "  the same events sent again (a caller retrying): \(again.accepted) new, \(again.duplicates) already "
                    + "recorded, nothing applied twice"
            )
            return recorded.accepted == UInt32(events.count) && again.duplicates == UInt32(events.count) ? 0 : 1
        } catch {
            print("  FAILED \(error)")
            return 1
        }
    }

    /// Every customer by CRM number in one streamed batch, frames without features.
    private func scoreEveryCustomer() async throws -> (
        scored: [(crm: UInt64, group: String, probability: Double)], failures: Int
    ) {
        let customers = self.customers
        let frameRows = self.frameRows
        let frames = (0..<(customers.count + frameRows - 1) / frameRows).map { frame in
            let part = customers[frame * frameRows..<min(customers.count, (frame + 1) * frameRows)]
            return ScoreBatchRequest(crms: part.map(\.crm), productGroups: part.map(\.group))
        }
        let requests = AsyncStream<ScoreBatchRequest> { continuation in
            for frame in frames { continuation.yield(frame) }
            continuation.finish()
        }
        let started = ContinuousClock.now
        let (probabilities, bands) = try await self.client.scoreBatch(requests) { answers in
            var probabilities: [Double] = []
            var bands = BandTally()
            for try await answer in answers {
                probabilities += answer.probabilities
                bands.add(answer)
            }
            return (probabilities, bands)
        }
        let elapsed = ContinuousClock.now - started
        print(
            "\nEvery customer by CRM number alone, one streamed batch: \(probabilities.count) of \(customers.count) scored in \(Int((Self.seconds(elapsed) * 1000).rounded())) ms"
        )
        print(bands.line)
        let scored = zip(customers, probabilities).map { ($0.crm, $0.group, $1) }
        return (scored, probabilities.count == customers.count ? 0 : 1)
    }

    private func timeUnaryCalls() async throws -> Int {
        var latencies: [Duration] = []
        latencies.reserveCapacity(self.calls)
        var failures = 0
        let started = ContinuousClock.now
        for index in 0..<self.calls {
            let customer = self.customers[index % self.customers.count]
            let begin = ContinuousClock.now
            do {
                _ = try await self.client.score(ScoreRequest(crm: customer.crm, productGroup: customer.group))
                latencies.append(ContinuousClock.now - begin)
            } catch {
                failures += 1
            }
        }
        let total = ContinuousClock.now - started
        latencies.sort()
        func at(_ quantile: Double) -> String {
            latencies.isEmpty
                ? "-" : Self.microseconds(latencies[min(latencies.count - 1, Int(Double(latencies.count) * quantile))])
        }
        print(
            "\n\(self.calls) unary calls by CRM number, one at a time through ChurnClient: p50 \(at(0.5)) µs, p99 \(at(0.99)) µs, \(Int(Double(self.calls) / Self.seconds(total))) calls/s (client and scorer share this machine's cores)"
        )
        return failures
    }

    private func streamBatch(schemaHash: UInt64) async throws -> Int {
        let frames = SyntheticFrames(rows: self.rows, frameRows: self.frameRows, schemaHash: schemaHash)
        let started = ContinuousClock.now
        let (scored, bands) = try await self.client.scoreBatch(frames) { answers in
            var bands = BandTally()
            for try await answer in answers { bands.add(answer) }
            return (bands.rows, bands)
        }
        let elapsed = ContinuousClock.now - started
        print(
            "\nStreamed batch of supplied features: \(scored) of \(self.rows) rows scored in frames of \(self.frameRows), \(Int(Double(scored) / Self.seconds(elapsed))) rows/s"
        )
        print(bands.line)
        return scored == self.rows ? 0 : 1
    }

    static func microseconds(_ duration: Duration) -> String {
        String(Int((seconds(duration) * 1_000_000).rounded()))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// How many answered rows fell in each risk band.
struct BandTally {
    private var counts = [Int](repeating: 0, count: 5)
    private(set) var rows = 0

    mutating func add(_ answer: ScoreBatchResponse) {
        self.rows += answer.riskBands.count
        for band in answer.riskBands { self.counts[Int(min(band.rawValue, 4))] += 1 }
    }

    var line: String {
        "  risk bands: low \(self.counts[1]), medium \(self.counts[2]), high \(self.counts[3]), critical \(self.counts[4])"
    }
}

/// Row frames of plausible customers, generated as they are sent (seeded, so every run is alike).
struct SyntheticFrames: AsyncSequence, Sendable {
    typealias Element = ScoreBatchRequest
    let rows: Int
    let frameRows: Int
    let schemaHash: UInt64

    func makeAsyncIterator() -> Iterator {
        Iterator(frames: self)
    }

    struct Iterator: AsyncIteratorProtocol {
        let frames: SyntheticFrames
        var sent = 0
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15

        mutating func next() async -> ScoreBatchRequest? {
            guard self.sent < self.frames.rows else { return nil }
            let count = Swift.min(self.frames.frameRows, self.frames.rows - self.sent)
            var features: [Double] = []
            features.reserveCapacity(count * 10)
            for _ in 0..<count {
                let risk = self.uniform()
                features += [
                    (risk * risk * 150).rounded(), 6 + (self.uniform() * 90).rounded(),
                    (2_000 + self.uniform() * 30_000).rounded(), 0.1 - risk * 0.5 + self.uniform() * 0.1,
                    0.05 - risk * 0.4 + self.uniform() * 0.1, self.uniform() * 0.1, self.uniform() * 0.08,
                    risk * self.uniform() * 0.8, 4.8 - risk * 3 + self.uniform() * 0.4,
                    (self.uniform() * risk * 8).rounded(),
                ]
            }
            let crms = (0..<count).map { UInt64(1_000_000 + self.sent + $0) }
            self.sent += count
            return ScoreBatchRequest(
                featureSchemaHash: self.frames.schemaHash,
                featureCount: 10,
                crms: crms,
                productGroup: "fuel-cards",
                features: features
            )
        }

        private mutating func uniform() -> Double {
            self.state = self.state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(self.state >> 11) / Double(1 << 53)
        }
    }
}
