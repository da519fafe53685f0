import ChurnModel
import ChurnRegistry
import PostgresNIO
import ServiceLifecycle
import Testing

@Suite("model registry in PostgreSQL")
struct RegistryTests {
    @Test func migrationsApplyFromEmptyAndReRunAsNoOps() async throws {
        try await TestRegistry.with { (registry: ModelRegistry, _: DatabaseURL) async throws in
            let migrator = Migrator(client: registry.client, logger: TestRegistry.logger)
            #expect(try await migrator.appliedVersions() == Migration.all.map(\.version))
            #expect(try await migrator.migrate().isEmpty)
            #expect(try await migrator.appliedVersions() == Migration.all.map(\.version))
        }
    }

    @Test func publishNumbersVersionsAndKeepsThemImmutable() async throws {
        try await TestRegistry.with { (registry: ModelRegistry, _: DatabaseURL) async throws in
            let first = try await registry.publish(
                artifactFile: try TestRegistry.model(intercept: -2).artifactFile(),
                actor: "ana",
                notes: "first"
            )
            let second = try await registry.publish(
                artifactFile: try TestRegistry.model(intercept: -1).artifactFile(),
                actor: "ana"
            )
            #expect(first.version == 1 && second.version == 2)
            #expect(first.name == "churn-test" && first.format == "logistic" && first.notes == "first")
            #expect(first.schemaHash == FeatureDerivation.schema.hash)
            #expect(first.sha256.count == 64)
            #expect(try await registry.versions(name: "churn-test").map(\.version) == [2, 1])

            let stored = try await registry.artifact(name: "churn-test", version: 1)
            let model = try TrainedModel(artifactFile: stored.artifact)
            try stored.golden.verify(model)
            // Rows are immutable: the database itself refuses changes.
            await #expect(throws: RegistryError.self) {
                do {
                    try await registry.client.query("UPDATE model_versions SET notes = 'x' WHERE version = 1")
                } catch {
                    throw RegistryError(.unavailable, "\(String(reflecting: error))")
                }
            }
            #expect(try await registry.version(name: "churn-test", version: 1).notes == "first")
        }
    }

    @Test func aCorruptArtifactIsRefusedAndNothingIsStored() async throws {
        try await TestRegistry.with { (registry: ModelRegistry, _: DatabaseURL) async throws in
            var bytes = try TestRegistry.model().artifactFile()
            bytes[bytes.count / 2] ^= 0x40
            await #expect {
                try await registry.publish(artifactFile: bytes, actor: "ana")
            } throws: { error in
                (error as? RegistryError)?.code == .invalidArtifact
            }
            #expect(try await registry.versions().isEmpty)
        }
    }

    @Test func aPublishWhoseNotificationFailsIsRefusedAndNothingIsStored() async throws {
        try await TestRegistry.with { (registry: ModelRegistry, _: DatabaseURL) async throws in
            // The name is the notification's payload: past 8,000 bytes `pg_notify` fails, the
            // transaction's last statement, after its row description.
            let name = String(repeating: "m", count: 8_100)
            await #expect {
                try await registry.publish(
                    artifactFile: try TestRegistry.model(name: name).artifactFile(),
                    actor: "ana"
                )
            } throws: { error in
                (error as? RegistryError)?.message.contains("payload string too long") == true
            }
            #expect(try await registry.versions().isEmpty)
        }
    }

    @Test func promoteCanaryShadowRollbackAndAudit() async throws {
        try await TestRegistry.with { (registry: ModelRegistry, _: DatabaseURL) async throws in
            for intercept in [-3.0, -2, -1] {
                _ = try await registry.publish(
                    artifactFile: try TestRegistry.model(intercept: intercept).artifactFile(),
                    actor: "ana"
                )
            }
            try await registry.promote(name: "churn-test", version: 1, to: .production, actor: "ana")
            let canary = try await registry.promote(
                name: "churn-test",
                version: 2,
                to: .canary,
                trafficBasisPoints: 500,
                actor: "ben"
            )
            #expect(canary.trafficBasisPoints == 500 && canary.version == 2)
            try await registry.promote(name: "churn-test", version: 3, to: .shadow, actor: "ben")
            // Promoting the canary's version ends the canary.
            try await registry.promote(name: "churn-test", version: 2, to: .production, actor: "ana")
            var aliases = try await registry.aliases(name: "churn-test")
            #expect(aliases.map(\.alias) == [.production, .shadow])
            #expect(aliases.first?.version == 2)

            let rolledBack = try await registry.rollback(name: "churn-test", actor: "ana")
            #expect(rolledBack.version == 1)
            // A second rollback undoes the first.
            #expect(try await registry.rollback(name: "churn-test", actor: "ana").version == 2)
            try await registry.clear(name: "churn-test", alias: .shadow, actor: "ana")
            aliases = try await registry.aliases(name: "churn-test")
            #expect(aliases.map(\.alias) == [.production])

            let history = try await registry.history(name: "churn-test")
            #expect(
                history.map(\.action) == [
                    "publish", "publish", "publish", "promote", "promote", "promote", "promote", "rollback", "rollback",
                    "clear",
                ]
            )
            #expect(history[4].detail == "500 bp" && history[4].actor == "ben")
            #expect(history[7].fromVersion == 2 && history[7].toVersion == 1)

            let diff = try await registry.diff(name: "churn-test", 1, 3)
            #expect(diff.count == 1 && diff[0].metric == "test_roc_auc")
            #expect(diff[0].a == 0.77 && diff[0].b == 0.79)
        }
    }

    @Test func refusalsSayWhyAndAreAudited() async throws {
        try await TestRegistry.with { (registry: ModelRegistry, _: DatabaseURL) async throws in
            _ = try await registry.publish(artifactFile: try TestRegistry.model().artifactFile(), actor: "ana")
            let other = try TestRegistry.model(features: ["days_inactive", "satisfaction"])
            _ = try await registry.publish(artifactFile: other.artifactFile(), actor: "ana")

            await #expect {
                try await registry.rollback(name: "churn-test", actor: "ana")
            } throws: { ($0 as? RegistryError)?.code == .notFound }
            try await registry.promote(name: "churn-test", version: 1, to: .production, actor: "ana")
            await #expect {
                try await registry.rollback(name: "churn-test", actor: "ana")
            } throws: { ($0 as? RegistryError)?.code == .invalidRequest }
            await #expect {
                try await registry.promote(name: "churn-test", version: 9, to: .production, actor: "ana")
            } throws: { ($0 as? RegistryError)?.code == .notFound }
            await #expect {
                try await registry.promote(
                    name: "churn-test",
                    version: 1,
                    to: .canary,
                    trafficBasisPoints: 0,
                    actor: "ana"
                )
            } throws: { ($0 as? RegistryError)?.code == .invalidRequest }
            await #expect {
                try await registry.promote(
                    name: "churn-test",
                    version: 2,
                    to: .canary,
                    trafficBasisPoints: 100,
                    actor: "ana"
                )
            } throws: { error in
                guard let error = error as? RegistryError else { return false }
                return error.code == .schemaMismatch && error.message.contains("production (version 1)")
            }
            // The cluster's configured schema is checked too, even for the first production version.
            await #expect {
                try await registry.promote(
                    name: "churn-test",
                    version: 1,
                    to: .production,
                    expectedSchemaHash: 42,
                    actor: "ana"
                )
            } throws: { ($0 as? RegistryError)?.code == .schemaMismatch }
            let history = try await registry.history(name: "churn-test")
            #expect(history.filter { $0.action == "refused" }.count == 2)
            #expect(try await registry.aliases(name: "churn-test").map(\.version) == [1])
        }
    }

    @Test func shadowResultsQueuedAtShutdownAreWrittenByTheLastFlush() async throws {
        try await TestRegistry.with { (registry: ModelRegistry, url: DatabaseURL) async throws in
            // No flush before the shutdown: only the last one can write them.
            let recorder = ShadowRecorder(
                url: url,
                scorerID: "scorer-1",
                logger: TestRegistry.logger,
                flushInterval: .seconds(600)
            )
            let services = ServiceGroup(services: [recorder], logger: TestRegistry.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await services.run() }
                for crm in 0..<2 {
                    recorder.record(
                        .init(
                            name: "churn-test",
                            productionVersion: 1,
                            shadowVersion: 2,
                            crm: UInt64(crm),
                            productionProbability: 0.5,
                            shadowProbability: 0.4
                        )
                    )
                }
                try await Task.sleep(for: .milliseconds(200))
                await services.triggerGracefulShutdown()
                try await group.next()
            }
            #expect(recorder.counts.written == 2 && recorder.counts.dropped == 0)
            #expect(try await registry.shadowComparison(name: "churn-test").first?.calls == 2)
        }
    }

    @Test func shadowResultsAreRecordedAndCompared() async throws {
        try await TestRegistry.with { (registry: ModelRegistry, url: DatabaseURL) async throws in
            let recorder = ShadowRecorder(url: url, scorerID: "scorer-1", logger: TestRegistry.logger, capacity: 3)
            for (index, pair) in [(0.2, 0.25), (0.6, 0.4), (0.9, 0.95)].enumerated() {
                recorder.record(
                    .init(
                        name: "churn-test",
                        productionVersion: 1,
                        shadowVersion: 2,
                        crm: UInt64(index),
                        productionProbability: pair.0,
                        shadowProbability: pair.1
                    )
                )
            }
            // Beyond the capacity: dropped and counted, never blocking.
            recorder.record(
                .init(
                    name: "churn-test",
                    productionVersion: 1,
                    shadowVersion: 2,
                    crm: 9,
                    productionProbability: 0,
                    shadowProbability: 0
                )
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await recorder.run() }
                defer { group.cancelAll() }
                _ = try await RegistryWatcherTests.eventually { recorder.counts.written == 3 }
            }
            #expect(recorder.counts.written == 3 && recorder.counts.dropped == 1)
            let comparison = try await registry.shadowComparison(name: "churn-test")
            #expect(comparison.count == 1)
            let row = try #require(comparison.first)
            #expect(row.productionVersion == 1 && row.shadowVersion == 2 && row.calls == 3)
            #expect(abs(row.meanAbsoluteDifference - 0.1) < 1e-12)
            #expect(abs(row.maxAbsoluteDifference - 0.2) < 1e-12)
            #expect(abs(row.agreement - 2.0 / 3.0) < 1e-12)
        }
    }

    @Test func databaseURLsParseAndNeverPrintPasswords() throws {
        let url = try DatabaseURL("postgres://churn%20user:s%40cret@127.0.0.1:6543/churnguard?sslmode=disable")
        #expect(url.username == "churn user" && url.password == "s@cret" && url.port == 6543)
        #expect(url.database == "churnguard" && url.sslMode == "disable")
        #expect(!url.description.contains("cret"))
        #expect(try DatabaseURL(url.urlString) == url)
        #expect(try DatabaseURL("postgresql://u@db.example:5432/x").sslMode == "prefer")
        for bad in [
            "mysql://u@h/d", "postgres://h/d", "postgres://u@h:99999/d", "postgres://u@h:5432/",
            "postgres://u@h/d?sslmode=maybe",
        ] {
            #expect(throws: RegistryError.self) { try DatabaseURL(bad) }
        }
    }
}
