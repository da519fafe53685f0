import ChurnDatasets
import ChurnModel
import ChurnTraining
import Foundation

/// The demo's two model versions, trained on the spot from a seeded demo customer base: a
/// logistic regression and a small gradient-boosted ensemble, both named `churn-demo` over the
/// ten derived features.
enum DemoModels {
    static let name = "churn-demo"

    /// The demo's customer base: seeded, so every run has the same customers.
    static func base(companies: Int = 1_500) -> DemoCustomerBase {
        DemoCustomerBase(configuration: .init(companies: companies, months: 18, seed: 7))
    }

    static func train(on base: DemoCustomerBase, timelines: [CustomerTimeline]) throws -> [TrainedModel] {
        let (columns, labels, periods) = try ChurnSnapshots().columns(
            of: timelines,
            dataStartDay: base.startDay,
            dataEndDay: base.endDay
        )
        let set = try TrainingSet(schema: FeatureDerivation.schema, columns: columns, labels: labels, periods: periods)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var models: [TrainedModel] = []
        for kind: ModelTraining.Kind in [
            .logistic(.defaults), .gradientBoosting(.init(numIterations: 60, numLeaves: 15, earlyStoppingRounds: 10)),
        ] {
            let report = try ModelTraining(kind: kind).train(set, name: Self.name, createdAtMs: now)
            let label =
                switch kind {
                case .logistic: "logistic regression"
                case .gradientBoosting: "gradient-boosted trees (\(report.trees ?? 0) trees)"
                }
            print(
                "  trained \(label) on \(report.split.training.count) rows: test ROC-AUC \(String(format: "%.3f", report.test.rocAUC)) on \(report.split.test.count) later rows"
            )
            models.append(report.model)
        }
        return models
    }
}
