import ChurnDatasets
import ChurnModel
import ChurnTesting
import Testing

@testable import ChurnTraining

@Suite(.onComputeThreads) struct ModelTrainingTests {
    /// Demo customers, cut into labelled monthly rows, the way `churnguard demo-data` does.
    static func demoSet(companies: Int) throws -> TrainingSet {
        let base = DemoCustomerBase(configuration: .init(companies: companies, months: 16, seed: 3))
        let (columns, labels, periods) = try ChurnSnapshots().columns(
            of: base.timelines(),
            dataStartDay: base.startDay,
            dataEndDay: base.endDay
        )
        return try TrainingSet(schema: FeatureDerivation.schema, columns: columns, labels: labels, periods: periods)
    }

    @Test(arguments: ["logistic", "gbdt"])
    func trainsAVerifiedArtifactWithMetricsBandsAndImportances(kind: String) throws {
        let set = try Self.demoSet(companies: 250)
        let training = ModelTraining(
            kind: kind == "logistic"
                ? .logistic(.defaults)
                : .gradientBoosting(.init(numIterations: 25, numLeaves: 8, earlyStoppingRounds: 5))
        )
        var lines: [String] = []
        let report = try training.train(set, name: "demo-\(kind)") { lines.append($0) }
        #expect(lines.first?.hasPrefix("split: training") ?? false)
        // The demo signal is strong: any working trainer finds it.
        #expect(report.test.rocAUC > 0.8, "test ROC-AUC \(report.test.rocAUC)")
        #expect(report.model.schema == FeatureDerivation.schema)
        let bands = report.model.riskBands
        #expect(0 < bands.medium && bands.medium < bands.high && bands.high < bands.critical && bands.critical < 1)

        let loaded = try TrainedModel(artifactFile: report.model.artifactFile())
        let metrics = Dictionary(uniqueKeysWithValues: loaded.metrics.map { ($0.name, $0.value) })
        #expect(metrics["test_roc_auc"] == report.test.rocAUC)
        #expect(metrics["importance_gain:days_inactive"] != nil)
        #expect(metrics["importance_mean_abs_contribution:days_inactive"] ?? 0 > 0)
        var row = [Double](repeating: 0, count: 10)
        set.copyRow(0, into: &row)
        #expect(try loaded.probability(row) == report.model.probability(row))
    }

    @Test func cutOffsLeaveTheConfiguredSharesAndSurviveTies() throws {
        let training = ModelTraining(kind: .logistic(.defaults))
        let scores = (0..<1_000).map { Double($0) / 1_000 }
        let bands = try training.bands(from: scores)
        #expect(bands.critical == 0.95 && bands.high == 0.85 && bands.medium == 0.65)
        let tied = try training.bands(from: Array(repeating: 0.1, count: 100))
        #expect(tied.medium < tied.high && tied.high < tied.critical)
    }
}
