#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How well churn probabilities separate and calibrate against what happened, defined as
/// scikit-learn defines each metric (tests pin equality to within 1e-12 on tied scores).
public struct ClassificationMetrics: Sendable, Hashable {
    /// One bin of the calibration table: the mean predicted probability and the observed churn rate.
    public struct CalibrationBin: Sendable, Hashable {
        public var meanPredicted: Double
        public var observedRate: Double
        public var count: Int
    }

    /// Area under the ROC curve; tied scores count half (`roc_auc_score`).
    public let rocAUC: Double
    /// Area under the precision-recall curve as average precision (`average_precision_score`).
    public let averagePrecision: Double
    /// Mean negative log-likelihood, probabilities clipped to [ε, 1 − ε] with ε = 2.2e-16 (`log_loss`).
    public let logLoss: Double
    /// Mean squared error of the probabilities (`brier_score_loss`).
    public let brier: Double
    /// The threshold the next three use: a score at or above it predicts churn.
    public let threshold: Double
    public let precision: Double
    public let recall: Double
    public let f1: Double
    /// The score threshold with the highest F1 (the lowest such threshold), and that F1.
    public let bestF1Threshold: Double
    public let bestF1: Double
    /// Churn rate among the top 10 % of scores (⌈n / 10⌉ rows, ties in row order) over the overall rate.
    public let topDecileLift: Double
    /// Ten equal-width bins over [0, 1], empty ones left out (`calibration_curve`, uniform).
    public let calibration: [CalibrationBin]

    /// Computes every metric.
    ///
    /// - Parameters:
    ///   - labels: 1 for churned, 0 for retained.
    ///   - scores: predicted probabilities in [0, 1], one per label.
    /// - Throws: ``ModelError/Code/invalidInput`` when the counts differ, a label is not 0 or 1, a
    ///   score is outside [0, 1] or NaN, or either class is absent.
    public init(labels: [Int], scores: [Double], threshold: Double = 0.5) throws(ModelError) {
        guard labels.count == scores.count, !labels.isEmpty else {
            throw ModelError(.invalidInput, "\(labels.count) labels and \(scores.count) scores; they must pair up")
        }
        guard labels.allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw ModelError(.invalidInput, "labels must be 0 or 1")
        }
        guard scores.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
            throw ModelError(.invalidInput, "scores must be probabilities in [0, 1] (no NaN)")
        }
        let positives = labels.reduce(0, +)
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else {
            throw ModelError(.invalidInput, "both churned and retained customers are needed to evaluate")
        }
        let n = Double(labels.count)

        // Rows by descending score, ties in row order.
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }

        // ROC-AUC by ranks (Mann-Whitney), tied scores sharing their average rank.
        var positiveRankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            // Ranks ascend with score: the group's ranks are count - end ... count - start.
            let averageRank = Double(2 * order.count - start - end) / 2
            for position in start...end where labels[order[position]] == 1 { positiveRankSum += averageRank }
            start = end + 1
        }
        self.rocAUC =
            (positiveRankSum - Double(positives) * Double(positives + 1) / 2) / (Double(positives) * Double(negatives))

        // Average precision, F1 per distinct threshold, from the highest threshold down.
        var truePositives = 0
        var seen = 0
        var previousRecall = 0.0
        var averagePrecision = 0.0
        var best = (f1: -1.0, threshold: 1.0)
        start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            for position in start...end { truePositives += labels[order[position]] }
            seen = end + 1
            let precision = Double(truePositives) / Double(seen)
            let recall = Double(truePositives) / Double(positives)
            averagePrecision += (recall - previousRecall) * precision
            previousRecall = recall
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            // Descending thresholds: ">=" keeps the lowest threshold among equal F1s.
            if f1 >= best.f1 { best = (f1, scores[order[start]]) }
            start = end + 1
        }
        self.averagePrecision = averagePrecision
        self.bestF1 = best.f1
        self.bestF1Threshold = best.threshold

        let epsilon = Double.ulpOfOne
        var logLoss = 0.0
        var brier = 0.0
        var predictedPositive = 0
        var hits = 0
        for (label, score) in zip(labels, scores) {
            let clipped = min(max(score, epsilon), 1 - epsilon)
            logLoss -= label == 1 ? log(clipped) : log(1 - clipped)
            brier += (score - Double(label)) * (score - Double(label))
            if score >= threshold {
                predictedPositive += 1
                hits += label
            }
        }
        self.logLoss = logLoss / n
        self.brier = brier / n
        self.threshold = threshold
        self.precision = predictedPositive > 0 ? Double(hits) / Double(predictedPositive) : 0
        self.recall = Double(hits) / Double(positives)
        self.f1 =
            self.precision + self.recall > 0 ? 2 * self.precision * self.recall / (self.precision + self.recall) : 0

        let top = (labels.count + 9) / 10
        let topPositives = order.prefix(top).reduce(0) { $0 + labels[$1] }
        self.topDecileLift = (Double(topPositives) / Double(top)) / (Double(positives) / n)

        // numpy's linspace(0, 1, 11) edges (i × 0.1), a score on an edge in the lower bin.
        let edges = (1..<10).map { Double($0) * 0.1 }
        var predictedSums = [Double](repeating: 0, count: 10)
        var observedSums = [Double](repeating: 0, count: 10)
        var counts = [Int](repeating: 0, count: 10)
        for (label, score) in zip(labels, scores) {
            let bin = edges.firstIndex { score <= $0 } ?? 9
            predictedSums[bin] += score
            observedSums[bin] += Double(label)
            counts[bin] += 1
        }
        var calibration: [CalibrationBin] = []
        for bin in 0..<10 where counts[bin] > 0 {
            let count = Double(counts[bin])
            calibration.append(
                CalibrationBin(
                    meanPredicted: predictedSums[bin] / count,
                    observedRate: observedSums[bin] / count,
                    count: counts[bin]
                )
            )
        }
        self.calibration = calibration
    }
}
