import ChurnModel
import ChurnRegistry
import ChurnScorer
import ChurnTesting
import ChurnWire
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import Prometheus
import ServiceLifecycle
import Testing

/// The scorer's side of the registry: hot swap by NOTIFY and by poll, refusals, the cache, a
/// database that goes away and comes back.
@Suite("registry watcher")
struct RegistryWatcherTests {
    /// What a watcher applied, in order.
    final class Applied: Sendable {
        let box = NIOLockedValueBox<[RegistryModels]>([])
        func record(_ models: RegistryModels) { self.box.withLockedValue { $0.append(models) } }
        var last: RegistryModels? { self.box.withLockedValue { $0.last } }
    }

    static func publish(_ registry: ModelRegistry, intercept: Double, features: [String]? = nil) async throws -> Int {
        try await registry.publish(
            artifactFile: try TestRegistry.model(intercept: intercept, features: features).artifactFile(),
            actor: "test"
        ).version
    }

    /// Runs `watcher` while `body` runs, then stops it.
    static func watching<T: Sendable>(_ watcher: RegistryWatcher, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await watcher.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Waits until `condition` holds (checking every 20 ms) or `limit` passes; how long it took.
    static func eventually(within limit: Duration = .seconds(30), _ condition: () -> Bool) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if condition() { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test(arguments: ["notify", "poll"])
    func aPromotionConvergesByEachPathAlone(path: String) async throws {
        try await TestRegistry.with { (registry: ModelRegistry, url: DatabaseURL) async throws in
            _ = try await Self.publish(registry, intercept: -2)
            _ = try await Self.publish(registry, intercept: -1)
            try await registry.promote(name: "churn-test", version: 1, to: .production, actor: "test")
            let applied = Applied()
            // notify: a poll too slow to matter; poll: no LISTEN at all.
            let watcher = RegistryWatcher(
                url: url,
                configuration: .init(
                    modelName: "churn-test",
                    pollInterval: path == "notify" ? .seconds(600) : .milliseconds(200),
                    listens: path == "notify"
                ),
                logger: TestRegistry.logger,
                apply: applied.record
            )
            let initial = try await watcher.loadInitial(timeout: .seconds(60))
            #expect(initial.production.version == 1)
            try await Self.watching(watcher) {
                if path == "notify" { _ = try await Self.eventually { watcher.isListening } }
                try await registry.promote(name: "churn-test", version: 2, to: .production, actor: "test")
                // How fast is measured by `churnguard demo`, not asserted on a shared machine.
                let took = try await Self.eventually(within: .seconds(30)) { applied.last?.production.version == 2 }
                #expect(took != nil, "\(path): version 2 never arrived")
                if path == "notify" { #expect(watcher.statistics.notifications >= 1) }
                try await registry.promote(
                    name: "churn-test",
                    version: 1,
                    to: .canary,
                    trafficBasisPoints: 300,
                    actor: "test"
                )
                #expect(try await Self.eventually { applied.last?.canary?.version == 1 } != nil)
                #expect(applied.last?.canaryBasisPoints == 300)
            }
        }
    }

    /// Runs a statement made of the test's own names (not bound parameters: role names cannot be).
    static func execute(_ statement: String, on registry: ModelRegistry) async throws {
        try await registry.client.query(PostgresQuery(unsafeSQL: statement))
    }

    @Test("a refresh that fails is tried again on its own: a notification is not lost to a failed read")
    func aFailedRefreshIsRetried() async throws {
        try await TestRegistry.with { (registry: ModelRegistry, url: DatabaseURL) async throws in
            _ = try await Self.publish(registry, intercept: -2)
            _ = try await Self.publish(registry, intercept: -1)
            try await registry.promote(name: "churn-test", version: 1, to: .production, actor: "test")
            // The watcher reads as a role of its own, whose right to read the aliases is taken
            // away while version 2 is promoted: the refresh that the notification starts fails.
            let role = "watcher_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            try await Self.execute("CREATE ROLE \(role) LOGIN PASSWORD 'watcher'", on: registry)
            try await Self.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role)", on: registry)
            let watcherURL = try DatabaseURL("postgres://\(role):watcher@\(url.host):\(url.port)/\(url.database)")
            let applied = Applied()
            let watcher = RegistryWatcher(
                url: watcherURL,
                // No poll to fall back on within the test.
                configuration: .init(modelName: "churn-test", pollInterval: .seconds(600), maxBackoff: .seconds(2)),
                logger: TestRegistry.logger,
                apply: applied.record
            )
            _ = try await watcher.loadInitial(timeout: .seconds(60))
            try await Self.watching(watcher) {
                try await Self.promoteWhileUnreadable(registry, role: role, watcher: watcher, applied: applied)
            }
            try await Self.execute("DROP OWNED BY \(role)", on: registry)
            try await Self.execute("DROP ROLE \(role)", on: registry)
        }
    }

    /// Promotes version 2 while `role` may not read the aliases, then gives the right back.
    static func promoteWhileUnreadable(
        _ registry: ModelRegistry,
        role: String,
        watcher: RegistryWatcher,
        applied: Applied
    ) async throws {
        // The refresh that listening starts has returned: the one that fails below is the
        // notification's, and nothing else would read the registry again.
        let caughtUp = try await Self.eventually {
            let statistics = watcher.statistics
            return watcher.isListening && statistics.refreshes >= 1
                && statistics.finishedRefreshes == statistics.refreshes
        }
        #expect(caughtUp != nil, "the watcher never listened and read")
        let failedBefore = watcher.statistics.failedRefreshes
        try await Self.execute("REVOKE SELECT ON model_aliases FROM \(role)", on: registry)
        try await registry.promote(name: "churn-test", version: 2, to: .production, actor: "test")
        let failed = try await Self.eventually { watcher.statistics.failedRefreshes > failedBefore }
        #expect(failed != nil, "the refresh after the notification did not fail")
        #expect(applied.last?.production.version == 1)
        try await Self.execute("GRANT SELECT ON model_aliases TO \(role)", on: registry)
        // No notification and no poll comes now: only a retry brings version 2.
        let took = try await Self.eventually(within: .seconds(30)) { applied.last?.production.version == 2 }
        #expect(took != nil, "version 2 never arrived after the failed refresh")
        // Counted before the refresh it asked for, though its loop may run late on a busy machine.
        #expect(try await Self.eventually { watcher.statistics.notifications == 1 } != nil)
    }

    @Test func theCacheFollowsProductionAsPublished() async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("watcher-cache-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        try await TestRegistry.with { (registry: ModelRegistry, url: DatabaseURL) async throws in
            _ = try await Self.publish(registry, intercept: -2)
            _ = try await Self.publish(registry, intercept: -1)
            try await registry.promote(name: "churn-test", version: 1, to: .production, actor: "test")
            try await registry.promote(
                name: "churn-test",
                version: 2,
                to: .canary,
                trafficBasisPoints: 500,
                actor: "test"
            )
            let file = "\(cache)/churn-test.registry-cache"
            let published = { (version: Int) async throws -> [UInt8] in
                Array("\(version)\n".utf8)
                    + (try await registry.artifact(name: "churn-test", version: version).artifact)
            }
            let applied = Applied()
            let watcher = RegistryWatcher(
                url: url,
                configuration: .init(modelName: "churn-test", pollInterval: .milliseconds(200), cacheDirectory: cache),
                logger: TestRegistry.logger,
                apply: applied.record
            )
            _ = try await watcher.loadInitial(timeout: .seconds(60))
            // Production's bytes as downloaded and verified.
            #expect(FileManager.default.contents(atPath: file).map { [UInt8]($0) } == (try await published(1)))
            try await Self.watching(watcher) {
                // Version 2 is already loaded as the canary: promoted, it is served from memory
                // and the cache gets it re-encoded, the same bytes.
                try await registry.promote(name: "churn-test", version: 2, to: .production, actor: "test")
                #expect(try await Self.eventually { applied.last?.production.version == 2 } != nil)
                let expected = try await published(2)
                #expect(
                    try await Self.eventually {
                        FileManager.default.contents(atPath: file).map { [UInt8]($0) } == expected
                    } != nil,
                    "the cache holds version 2"
                )
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".tmp") }
            #expect(leftovers.isEmpty, "no temporary files left: \(leftovers)")
        }
    }

    @Test(arguments: ["corrupt artifact", "wrong checksum", "schema mismatch", "golden mismatch"])
    func aBadVersionIsRefusedAuditedAndTheOldOneServes(damage: String) async throws {
        try await TestRegistry.with { (registry: ModelRegistry, url: DatabaseURL) async throws in
            _ = try await Self.publish(registry, intercept: -2)
            let bad = try await Self.publish(
                registry,
                intercept: -1,
                features: damage == "schema mismatch" ? ["days_inactive", "satisfaction"] : nil
            )
            try await registry.promote(name: "churn-test", version: 1, to: .production, actor: "test")
            // Damage the stored row behind the registry's back (the owner may lift the trigger).
            try await registry.client.query("ALTER TABLE model_versions DISABLE TRIGGER model_versions_immutable")
            switch damage {
            case "corrupt artifact":
                try await registry.client.query(
                    "UPDATE model_versions SET artifact = set_byte(artifact, 40, get_byte(artifact, 40) # 1) WHERE version = \(bad)"
                )
            case "wrong checksum":
                try await registry.client.query(
                    "UPDATE model_versions SET sha256 = repeat('0', 64) WHERE version = \(bad)"
                )
            case "golden mismatch":
                try await registry.client.query(
                    "UPDATE model_versions SET golden_probabilities = set_byte(golden_probabilities, 0, 7) WHERE version = \(bad)"
                )
            default:
                break
            }
            try await registry.client.query("ALTER TABLE model_versions ENABLE TRIGGER model_versions_immutable")
            let applied = Applied()
            let metrics = PrometheusCollectorRegistry()
            let watcher = RegistryWatcher(
                url: url,
                // A generous refresh timeout: this test checks refusals, and a read slower than the
                // default 3 s in the starved parallel suite marked the registry unreachable.
                configuration: .init(
                    modelName: "churn-test",
                    pollInterval: .milliseconds(200),
                    scorerID: "scorer-7",
                    refreshTimeout: .seconds(30)
                ),
                logger: TestRegistry.logger,
                metrics: RegistryMetrics(modelName: "churn-test", factory: PrometheusMetricsFactory(registry: metrics)),
                apply: applied.record
            )
            #expect(try await watcher.loadInitial(timeout: .seconds(60)).production.version == 1)
            // Point production at the bad version directly (the registry itself refuses a schema change).
            try await registry.client.query(
                "UPDATE model_aliases SET version = \(bad) WHERE name = 'churn-test' AND alias = 'production'"
            )
            try await Self.watching(watcher) {
                #expect(try await Self.eventually { watcher.statistics.refusals >= 1 } != nil)
                try await Task.sleep(for: .milliseconds(500))
                #expect(watcher.current?.production.version == 1)
                #expect(applied.last == nil || applied.last?.production.version == 1)
                #expect(watcher.statistics.refusals == 1, "a refused version is not retried")
            }
            let exported = metrics.emitToString()
            #expect(exported.contains("churnguard_registry_swap_refusals_total{model=\"churn-test\"} 1"), "\(exported)")
            #expect(exported.contains("churnguard_model_version{model=\"churn-test\",alias=\"production\"} 1.0"))
            #expect(exported.contains("churnguard_registry_reachable{model=\"churn-test\"} 1.0"))
            let refusals = try await registry.history(name: "churn-test").filter { $0.action == "swap-refused" }
            #expect(refusals.count >= 1)
            #expect(refusals.first?.actor == "scorer-7" && refusals.first?.toVersion == bad)
        }
    }

    @Test func theDatabaseGoesAwayAndComesBackWhileServing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("watcher-pg-\(UUID().uuidString)")
            .path
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("watcher-cache-\(UUID().uuidString)")
            .path
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: cache)
        }
        let url = try DatabaseURL(try await TestPostgres.startDedicated(directory: directory))
        do {
            let client = PostgresClient(configuration: url.configuration, backgroundLogger: TestRegistry.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await Migrator(client: client, logger: TestRegistry.logger).migrate()
                let registry = ModelRegistry(client: client, logger: TestRegistry.logger)
                _ = try await Self.publish(registry, intercept: -2)
                _ = try await Self.publish(registry, intercept: -1)
                try await registry.promote(name: "churn-test", version: 1, to: .production, actor: "test")
            }

            let applied = Applied()
            let metrics = PrometheusCollectorRegistry()
            let watcher = RegistryWatcher(
                url: url,
                configuration: .init(
                    modelName: "churn-test",
                    pollInterval: .milliseconds(200),
                    cacheDirectory: cache,
                    maxBackoff: .milliseconds(400)
                ),
                logger: TestRegistry.logger,
                metrics: RegistryMetrics(modelName: "churn-test", factory: PrometheusMetricsFactory(registry: metrics)),
                apply: applied.record
            )
            let reachable = { (value: Int) in
                metrics.emitToString().contains(
                    "churnguard_registry_reachable{model=\"churn-test\"} \(Double(value))\n"
                )
            }
            #expect(try await watcher.loadInitial(timeout: .seconds(60)).production.version == 1)
            try await Self.watching(watcher) {
                #expect(try await Self.eventually { watcher.isReachable } != nil)
                try await TestPostgres.stopDedicated(directory: directory)
                #expect(try await Self.eventually { !watcher.isReachable } != nil, "the outage is noticed")
                #expect(reachable(0), "the metric shows the registry unreachable")
                #expect(metrics.emitToString().contains("churnguard_registry_failed_reads_total{model=\"churn-test\"}"))
                #expect(
                    try await Self.eventually {
                        metrics.emitToString().contains(
                            "churnguard_registry_reads_through_pool{model=\"churn-test\"} 0.0\n"
                        )
                    } != nil,
                    "the metric shows polls going around the pool"
                )
                #expect(watcher.current?.production.version == 1, "the last good model keeps serving")

                // Start-up while it is down: the cached model, verified, and said so.
                let second = RegistryWatcher(
                    url: url,
                    configuration: .init(modelName: "churn-test", cacheDirectory: cache),
                    logger: TestRegistry.logger
                ) { _ in }
                let cached = try await second.loadInitial(timeout: .seconds(3))
                #expect(cached.production.version == 1)
                #expect(!second.isReachable)

                #expect(
                    try await Self.eventually { watcher.statistics.directRefreshes > 0 } != nil,
                    "with the pool failing, polls read through connections of their own"
                )
                _ = try await TestPostgres.startDedicated(directory: directory)
                #expect(try await Self.eventually(within: .seconds(30)) { watcher.isReachable } != nil, "reconnects")
                // PostgresNIO's pool reconnects on a backoff of its own that grows with the
                // outage (to a minute); once it has, LISTEN is back and reads go through it again.
                #expect(
                    try await Self.eventually(within: .seconds(90)) { watcher.isListening && watcher.readsThroughPool }
                        != nil,
                    "listens again"
                )
                #expect(
                    metrics.emitToString().contains(
                        "churnguard_registry_reads_through_pool{model=\"churn-test\"} 1.0\n"
                    )
                )
                #expect(metrics.emitToString().contains("churnguard_registry_direct_reads_total{model=\"churn-test\"}"))
                let direct = watcher.statistics.directRefreshes
                let refreshes = watcher.statistics.refreshes
                #expect(try await Self.eventually { watcher.statistics.refreshes >= refreshes + 3 } != nil)
                #expect(watcher.statistics.directRefreshes == direct, "reads went back to the pool")
                #expect(watcher.isReachable)
                let client = PostgresClient(configuration: url.configuration, backgroundLogger: TestRegistry.logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await client.run() }
                    defer { group.cancelAll() }
                    try await ModelRegistry(client: client, logger: TestRegistry.logger)
                        .promote(name: "churn-test", version: 2, to: .production, actor: "test")
                }
                #expect(
                    try await Self.eventually { applied.last?.production.version == 2 } != nil,
                    "converges after the outage"
                )
                #expect(reachable(1), "the metric shows the registry reachable again")
                #expect(metrics.emitToString().contains("churnguard_registry_swaps_total{model=\"churn-test\"} 1"))
            }
            // Without a cache and without a database, start-up fails with the reason.
            try await TestPostgres.stopDedicated(directory: directory)
            let bare = RegistryWatcher(
                url: url,
                configuration: .init(modelName: "churn-test"),
                logger: TestRegistry.logger
            ) { _ in }
            await #expect {
                try await bare.loadInitial(timeout: .seconds(3))
            } throws: {
                guard let error = $0 as? RegistryError else { return false }
                return error.code == .unavailable && error.message.contains("Connection refused")
                    && error.message.contains("no cached model")
            }
        } catch {
            try? await TestPostgres.stopDedicated(directory: directory)
            throw error
        }
        try? await TestPostgres.stopDedicated(directory: directory)
    }

    @Test func canaryShareIsWithinOnePercentAndStablePerCustomer() throws {
        let production = ServingModel(model: try TestRegistry.model(intercept: -2), version: 1, alias: .production)
        let canary = ServingModel(model: try TestRegistry.model(intercept: -1), version: 2, alias: .canary)
        for basisPoints in [100, 500, 2_500, 5_000] {
            let models = ServingModels(production: production, canary: canary, canaryBasisPoints: basisPoints)
            var hits = 0
            for crm in UInt64(1_000_000)..<UInt64(1_100_000) where models.model(forCRM: crm) === canary { hits += 1 }
            let share = Double(hits) / 100_000
            let target = Double(basisPoints) / 10_000
            #expect(abs(share - target) <= 0.01 * max(target, 0.01) + 0.001, "\(basisPoints) bp: \(share)")
            // The same customer always lands on the same side, and a larger share keeps its customers.
            let wider = ServingModels(production: production, canary: canary, canaryBasisPoints: basisPoints + 100)
            for crm in UInt64(1)...UInt64(2_000) where models.model(forCRM: crm) === canary {
                #expect(models.model(forCRM: crm) === canary)
                #expect(wider.model(forCRM: crm) === canary)
            }
        }
    }
}
