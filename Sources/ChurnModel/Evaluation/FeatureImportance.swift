/// How much each feature matters to a model: the mean |contribution| it makes to the scores of
/// given rows (mean |SHAP| for tree ensembles, mean |coefficient × standardized value| for
/// logistic regression), and, when the artifact recorded it at training, the summed split gain.
///
/// ```swift
/// let importance = try FeatureImportance(model: model, rows: sampleRows)
/// for index in importance.ranking { print(model.schema.features[index].name, importance.meanAbsoluteContribution[index]) }
/// ```
public struct FeatureImportance: Sendable, Hashable {
    /// Per feature, in schema order.
    public let meanAbsoluteContribution: [Double]
    /// Per feature: the training gain the artifact carries (`importance_gain:<name>` metrics), or nil.
    public let gain: [Double]?
    /// Rows the contributions were averaged over.
    public let rows: Int

    /// Feature indices, most important (by mean |contribution|) first.
    public var ranking: [Int] {
        self.meanAbsoluteContribution.indices.sorted {
            self.meanAbsoluteContribution[$0] != self.meanAbsoluteContribution[$1]
                ? self.meanAbsoluteContribution[$0] > self.meanAbsoluteContribution[$1] : $0 < $1
        }
    }

    /// Explains every row of `rows` and averages.
    ///
    /// - Throws: ``ModelError/Code/featureCountMismatch`` for a row of the wrong length.
    public init(model: TrainedModel, rows: [[Double]]) throws(ModelError) {
        let featureCount = model.schema.features.count
        var sums = [Double](repeating: 0, count: featureCount)
        for row in rows {
            let contributions = try model.contributions(row)
            for feature in 0..<featureCount { sums[feature] += abs(contributions[feature]) }
        }
        self.meanAbsoluteContribution = rows.isEmpty ? sums : sums.map { $0 / Double(rows.count) }
        self.rows = rows.count
        let recorded = Dictionary(model.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let gains = model.schema.features.map { recorded["importance_gain:\($0.name)"] }
        self.gain = gains.allSatisfy { $0 != nil } ? gains.map { $0! } : nil
    }
}
