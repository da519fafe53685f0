import ChurnModel
import ChurnTesting
import Foundation
import Testing

@Suite("Metrics equal scikit-learn's", .onComputeThreads)
struct ClassificationMetricsTests {
    struct Fixture: Decodable {
        var labels: [Int]
        var scores: [Double]
        var threshold: Double
        var roc_auc: Double
        var average_precision: Double
        var log_loss: Double
        var brier: Double
        var precision: Double
        var recall: Double
        var f1: Double
        var best_f1_threshold: Double
        var best_f1: Double
        var top_decile_lift: Double
        var calibration_observed: [Double]
        var calibration_predicted: [Double]
    }

    @Test("every metric within 1e-12 on 5,000 rows with tied scores and exact 0 and 1")
    func equality() throws {
        let url = LightGBMFixture.folder.deletingLastPathComponent().appendingPathComponent("sklearn/metrics.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let metrics = try ClassificationMetrics(
            labels: fixture.labels,
            scores: fixture.scores,
            threshold: fixture.threshold
        )
        let pairs: [(String, Double, Double)] = [
            ("roc_auc", metrics.rocAUC, fixture.roc_auc),
            ("average_precision", metrics.averagePrecision, fixture.average_precision),
            ("log_loss", metrics.logLoss, fixture.log_loss),
            ("brier", metrics.brier, fixture.brier),
            ("precision", metrics.precision, fixture.precision),
            ("recall", metrics.recall, fixture.recall),
            ("f1", metrics.f1, fixture.f1),
            ("best_f1", metrics.bestF1, fixture.best_f1),
            ("best_f1_threshold", metrics.bestF1Threshold, fixture.best_f1_threshold),
            ("top_decile_lift", metrics.topDecileLift, fixture.top_decile_lift),
        ]
        for (name, ours, theirs) in pairs {
            #expect(abs(ours - theirs) <= 1e-12, "\(name): \(ours) vs scikit-learn's \(theirs)")
        }
        #expect(metrics.calibration.count == fixture.calibration_observed.count)
        for (bin, (observed, predicted)) in zip(
            metrics.calibration,
            zip(fixture.calibration_observed, fixture.calibration_predicted)
        ) {
            #expect(abs(bin.observedRate - observed) <= 1e-12)
            #expect(abs(bin.meanPredicted - predicted) <= 1e-12)
        }
    }

    @Test("hand-checked small cases: perfect, inverted and all-tied scores")
    func smallCases() throws {
        #expect(try ClassificationMetrics(labels: [0, 0, 1, 1], scores: [0.1, 0.2, 0.8, 0.9]).rocAUC == 1)
        #expect(try ClassificationMetrics(labels: [1, 1, 0, 0], scores: [0.1, 0.2, 0.8, 0.9]).rocAUC == 0)
        let tied = try ClassificationMetrics(labels: [0, 1, 0, 1], scores: [0.5, 0.5, 0.5, 0.5])
        #expect(tied.rocAUC == 0.5)
        #expect(tied.averagePrecision == 0.5)
    }

    @Test("inputs that cannot be evaluated are refused")
    func refusals() {
        #expect(throws: ModelError.self) { try ClassificationMetrics(labels: [0, 1], scores: [0.5]) }
        #expect(throws: ModelError.self) { try ClassificationMetrics(labels: [0, 2], scores: [0.5, 0.5]) }
        #expect(throws: ModelError.self) { try ClassificationMetrics(labels: [0, 1], scores: [0.5, .nan]) }
        #expect(throws: ModelError.self) { try ClassificationMetrics(labels: [1, 1], scores: [0.5, 0.7]) }
        #expect(throws: ModelError.self) { try ClassificationMetrics(labels: [], scores: []) }
    }
}
