import ChurnModel
import ChurnRegistry
import ChurnTesting
import Foundation
import Logging
import PostgresNIO

/// A database of its own per test, on the test PostgreSQL server, migrated, with a running client.
enum TestRegistry {
    static let logger: Logger = {
        var logger = Logger(label: "test.registry")
        logger.logLevel = .warning
        return logger
    }()

    /// Creates an empty database for one test and returns its URL.
    static func freshDatabase() async throws -> DatabaseURL {
        let server = try DatabaseURL(try await TestPostgres.serverURL())
        let name = "test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20))"
        let admin = PostgresClient(configuration: server.configuration, backgroundLogger: Self.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            // A database name cannot be a bound parameter; this one is made of hex digits only.
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Self.logger)
            group.cancelAll()
        }
        return server.database(name)
    }

    /// Runs `body` with a migrated registry on a fresh database.
    static func with<T: Sendable>(
        _ body: (ModelRegistry, DatabaseURL) async throws -> T
    ) async throws -> T {
        let url = try await Self.freshDatabase()
        let client = PostgresClient(configuration: url.configuration, backgroundLogger: Self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await Migrator(client: client, logger: Self.logger).migrate()
            return try await body(ModelRegistry(client: client, logger: Self.logger), url)
        }
    }

    /// A small trained model with a name and an intercept that tells versions apart.
    static func model(
        name: String = "churn-test",
        intercept: Double = -2,
        features: [String]? = nil
    ) throws -> TrainedModel {
        let names = features ?? FeatureDerivation.schema.features.map(\.name)
        let schema = try FeatureSchema(names.map { .numeric($0) })
        let logistic = try LogisticModel(
            featureCount: names.count,
            intercept: intercept,
            numeric: names.indices.map {
                .init(feature: $0, imputedValue: 0, mean: 0, scale: 1, coefficient: 0.01 * Double($0 + 1))
            },
            categorical: []
        )
        return try TrainedModel(
            name: name,
            schema: schema,
            scorer: .logistic(logistic),
            riskBands: try RiskBands(medium: 0.2, high: 0.4, critical: 0.7),
            metrics: [.init("test_roc_auc", 0.8 + intercept / 100)]
        )
    }
}
