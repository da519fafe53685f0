import ChurnClient
import ChurnModel
import ChurnTransport
import ChurnWire
import Foundation

/// What the demo's caller does with a running scorer; returns how many calls failed.
struct DemoCaller {
    let client: ChurnClient
    let calls: Int
    let rows: Int
    let frameRows: Int

    /// Four customers of the ten derived features (FeatureDerivation.schema order), in the
    /// ranges of `churnguard demo-data`'s customer base (satisfaction on its 1–10 scale).
    static let customers: [(crm: UInt64, group: String, story: String, features: [Double])] = [
        (100_001, "fuel_cards", "steady, satisfied", [4, 60, 24_000, 0.04, 0.02, 0.05, 0.005, 0.0, 8.1, 1]),
        (100_002, "fuel_cards", "revenue drifting down", [12, 30, 9_000, -0.18, -0.1, 0.07, 0.007, 0.0, 6.8, 1]),
        (100_003, "toll_services", "complaints, unhappy", [30, 14, 4_000, -0.3, -0.25, 0.09, 0.012, 0.67, 4.2, 3]),
        (100_004, "toll_services", "gone quiet", [75, 8, 600, -0.8, -0.75, 0.12, 0.02, 0.33, 5.0, 2]),
    ]

    func run() async throws -> Int {
        var failures = 0
        let health = try await self.client.health()
        let model = health.model
        print(
            "Health: \(health.state), node \(health.nodeId), model \(model.name) v\(model.version) (\(model.alias)), feature schema \(Hex.fixed64(model.featureSchemaHash))"
        )

        print("\nScoring four customers, top 3 drivers each:")
        for customer in Self.customers {
            let started = ContinuousClock.now
            do {
                let answer = try await self.client.score(
                    ScoreRequest(
                        crm: customer.crm,
                        productGroup: customer.group,
                        featureSchemaHash: model.featureSchemaHash,
                        features: customer.features,
                        topDrivers: 3
                    )
                )
                let elapsed = ContinuousClock.now - started
                print("\n(\(customer.story); answered in \(Self.microseconds(elapsed)) µs)")
                print(ScoreAnswerText.render(answer))
            } catch {
                print("  CRM \(customer.crm): FAILED \(error)")
                failures += 1
            }
        }

        failures += try await self.timeUnaryCalls(schemaHash: model.featureSchemaHash)
        failures += try await self.streamBatch(schemaHash: model.featureSchemaHash)

        print("\nA call with another feature schema gets a typed error, not a wrong score:")
        do {
            _ = try await self.client.score(
                ScoreRequest(crm: 1, featureSchemaHash: 0xDEAD_BEEF, features: Self.customers[0].features)
            )
            print("  unexpectedly answered")
            failures += 1
        } catch {
            print("  \(error)")
        }
        return failures
    }

    private func timeUnaryCalls(schemaHash: UInt64) async throws -> Int {
        var latencies: [Duration] = []
        latencies.reserveCapacity(self.calls)
        var failures = 0
        let features = Self.customers[2].features
        let started = ContinuousClock.now
        for index in 0..<self.calls {
            let begin = ContinuousClock.now
            do {
                _ = try await self.client.score(
                    ScoreRequest(crm: UInt64(200_000 + index), featureSchemaHash: schemaHash, features: features)
                )
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
            "\n\(self.calls) unary calls, one at a time through ChurnClient: p50 \(at(0.5)) µs, p99 \(at(0.99)) µs, \(Int(Double(self.calls) / Self.seconds(total))) calls/s (client and scorer share this machine's cores)"
        )
        return failures
    }

    private func streamBatch(schemaHash: UInt64) async throws -> Int {
        let frames = SyntheticFrames(rows: self.rows, frameRows: self.frameRows, schemaHash: schemaHash)
        let started = ContinuousClock.now
        let (scored, bands) = try await self.client.scoreBatch(frames) { answers in
            var scored = 0
            var bands = [Int](repeating: 0, count: 5)
            for try await answer in answers {
                scored += answer.crms.count
                for band in answer.riskBands { bands[Int(min(band.rawValue, 4))] += 1 }
            }
            return (scored, bands)
        }
        let elapsed = ContinuousClock.now - started
        print(
            "\nStreamed batch: \(scored) of \(self.rows) rows scored in frames of \(self.frameRows), \(Int(Double(scored) / Self.seconds(elapsed))) rows/s"
        )
        print("  risk bands: low \(bands[1]), medium \(bands[2]), high \(bands[3]), critical \(bands[4])")
        return scored == self.rows ? 0 : 1
    }

    static func microseconds(_ duration: Duration) -> String {
        String(Int((seconds(duration) * 1_000_000).rounded()))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
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
