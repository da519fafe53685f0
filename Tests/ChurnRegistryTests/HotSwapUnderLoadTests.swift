import ChurnClient
import ChurnModel
import ChurnRegistry
import ChurnScorer
import ChurnTesting
import ChurnTransport
import ChurnWire
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing

/// Three promotions and a rollback while callers score without pause, through a real scorer
/// following a real registry: no call fails, and every answer names a version that was live
/// when it was answered. (Latency and memory during swaps are measured by `churnguard demo`'s
/// hot-swap phase, not asserted here.)
@Suite("hot swap under load")
struct HotSwapUnderLoadTests {
    final class Log: Sendable {
        struct Entry {
            var version: UInt32
            var at: ContinuousClock.Instant
        }
        let entries = NIOLockedValueBox<[Entry]>([])
        let failures = NIOLockedValueBox<[String]>([])
    }

    @Test func threePromotionsAndARollbackWithNoFailedCall() async throws {
        try await TestRegistry.with { (registry: ModelRegistry, url: DatabaseURL) async throws in
            for intercept in [-3.0, -2.5, -2, -1.5] {
                _ = try await registry.publish(
                    artifactFile: try TestRegistry.model(intercept: intercept).artifactFile(),
                    actor: "test"
                )
            }
            try await registry.promote(name: "churn-test", version: 1, to: .production, actor: "test")
            let watcher = RegistryWatcher(
                url: url,
                configuration: .init(modelName: "churn-test", pollInterval: .seconds(1)),
                logger: TestRegistry.logger
            ) { _ in }
            let initial = try await watcher.loadInitial()

            let pki = try TestCertificates()
            defer { pki.remove() }
            let configuration = ScorerConfiguration(
                nodeID: "swap-scorer",
                server: RPCServerConfiguration(port: 0, tls: pki.serverTLS(), handshakeTimeout: .seconds(120))
            )
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let scorer = try ScorerService(
                configuration: configuration,
                model: initial.production.model,
                logger: quietLogger(),
                listening: { _, port in
                    continuation.yield(port)
                    continuation.finish()
                },
                registryReachable: { watcher.isReachable }
            )
            let holder = scorer.models
            @Sendable func serving(_ models: RegistryModels) -> ServingModels {
                ServingModels(
                    production: ServingModel(model: models.production.model, version: UInt32(models.production.version))
                )
            }
            holder.replace(with: serving(initial))
            watcher.onApply { holder.replace(with: serving($0)) }

            // (version, when it became production) as the registry changes.
            let changes = NIOLockedValueBox<[(version: UInt32, at: ContinuousClock.Instant)]>([(1, .now)])
            let log = Log()
            let stop = NIOLockedValueBox(false)
            try await withListeningService(scorer.run, ports: ports) { port in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await watcher.run() }
                    defer { group.cancelAll() }
                    let client = ChurnClientConfiguration(
                        target: RPCConnection.Target(host: "127.0.0.1", port: port),
                        tls: pki.clientTLS(),
                        defaultTimeout: .seconds(5)
                    )
                    try await ChurnClient.withClient(configuration: client, logger: quietLogger()) { client in
                        try await withThrowingTaskGroup(of: Void.self) { callers in
                            for caller in 0..<3 {
                                callers.addTask {
                                    var index = 0
                                    while !stop.withLockedValue({ $0 }) {
                                        index += 1
                                        let request = ScoreRequest(
                                            crm: UInt64(caller * 1_000_000 + index),
                                            featureSchemaHash: FeatureDerivation.schema.hash,
                                            features: [20, 30, 5_000, -0.1, -0.1, 0.05, 0.01, 0, 6, 1]
                                        )
                                        do {
                                            let answer = try await client.score(request)
                                            log.entries.withLockedValue {
                                                $0.append(.init(version: answer.model.version, at: .now))
                                            }
                                        } catch {
                                            log.failures.withLockedValue { $0.append("\(error)") }
                                        }
                                    }
                                }
                            }
                            for (step, version) in [2, 3, 4, 3].enumerated() {
                                try await Task.sleep(for: .milliseconds(400))
                                let before = ContinuousClock.now
                                if step == 3 {
                                    try await registry.rollback(name: "churn-test", actor: "test")
                                } else {
                                    try await registry.promote(
                                        name: "churn-test",
                                        version: version,
                                        to: .production,
                                        actor: "test"
                                    )
                                }
                                changes.withLockedValue { $0.append((UInt32(version), before)) }
                                let deadline = ContinuousClock.now + .seconds(5)
                                while holder.current.identity.version != UInt32(version), ContinuousClock.now < deadline
                                {
                                    try await Task.sleep(for: .milliseconds(5))
                                }
                                #expect(
                                    holder.current.identity.version == UInt32(version),
                                    "v\(version) not served within 5 s"
                                )
                            }
                            try await Task.sleep(for: .milliseconds(400))
                            stop.withLockedValue { $0 = true }
                            try await callers.waitForAll()
                        }
                    }
                }
            }
            let failures = log.failures.withLockedValue { $0 }
            #expect(failures.isEmpty, "\(failures.count) failed calls: \(failures.prefix(3))")
            let entries = log.entries.withLockedValue { $0 }
            #expect(entries.count > 100)
            // An answer recorded at time t names the version live at t, or the one before it if the
            // change happened while the call was in flight (within 1 s of the change).
            let timeline = changes.withLockedValue { $0 }
            var stale = 0
            for entry in entries {
                let index = timeline.lastIndex { $0.at <= entry.at } ?? 0
                let live = timeline[index].version
                let previous = index > 0 ? timeline[index - 1].version : live
                let recent = entry.at - timeline[index].at < .seconds(1)
                if entry.version != live && !(recent && entry.version == previous) { stale += 1 }
            }
            #expect(stale == 0, "\(stale) answers named a version that was not live")
            #expect(Set(entries.map(\.version)) == [1, 2, 3, 4])
        }
    }
}
