public import ChurnModel

/// Trains a churn model end to end: splits the rows out of time, fits logistic regression or
/// gradient-boosted trees, chooses the decision threshold (best F1 on validation) and the risk-band
/// cut-offs (by validation score quantiles), measures the held-out test periods, and returns a
/// ``TrainedModel`` that carries those metrics and the feature importances.
///
/// ```swift
/// let report = try ModelTraining(kind: .gradientBoosting(.defaults)).train(set, name: "churn-gbdt") {
///     print($0)   // progress lines
/// }
/// try Data(report.model.artifactFile()).write(to: url)
/// ```
public struct ModelTraining: Sendable {
    /// Which model to fit, with its hyper-parameters.
    public enum Kind: Sendable, Hashable {
        case logistic(LogisticRegressionTrainer.Configuration)
        case gradientBoosting(GradientBoostingTrainer.Configuration)
    }

    /// Shares of customers, from the top of the validation scores, in each band above low.
    public struct BandShares: Sendable, Hashable {
        /// Default 0.05: the riskiest 5 % are critical.
        public var critical: Double
        /// Default 0.10: the next 10 % are high.
        public var high: Double
        /// Default 0.20: the next 20 % are medium.
        public var medium: Double

        public init(critical: Double = 0.05, high: Double = 0.10, medium: Double = 0.20) {
            self.critical = critical
            self.high = high
            self.medium = medium
        }

        /// The defaults stated on each property.
        public static var defaults: BandShares { BandShares() }
    }

    /// What training produced and measured.
    public struct Report: Sendable {
        public var model: TrainedModel
        public var split: OutOfTimeSplit
        /// Metrics on the test periods at ``threshold``.
        public var test: ClassificationMetrics
        /// Metrics on the validation periods (nil without validation rows).
        public var validation: ClassificationMetrics?
        /// The decision threshold: the best-F1 threshold on validation (0.5 without validation rows).
        public var threshold: Double
        /// Per feature: summed split gain (trees) or |coefficient| (logistic regression).
        public var gainImportance: [Double]
        /// Per feature: mean |contribution| over (up to 2,000 of) the test rows.
        public var meanAbsoluteContribution: [Double]
        /// Trees kept, for a tree ensemble.
        public var trees: Int?
    }

    public var kind: Kind
    public var split: OutOfTimeSplit.Configuration
    public var bandShares: BandShares

    public init(kind: Kind, split: OutOfTimeSplit.Configuration = .defaults, bandShares: BandShares = .defaults) {
        self.kind = kind
        self.split = split
        self.bandShares = bandShares
    }

    /// Trains on `data`, calling `progress` with a line now and then.
    ///
    /// - Throws: ``TrainingError`` for data that cannot be split or trained on.
    public func train(
        _ data: TrainingSet,
        name: String,
        createdAtMs: Int64 = 0,
        progress: (String) -> Void = { _ in }
    ) throws(TrainingError) -> Report {
        let split = try OutOfTimeSplit(periods: data.periods, configuration: self.split)
        let training = data.rows(split.training)
        let validation = data.rows(split.validation)
        let test = data.rows(split.test)
        progress(
            "split: training \(Self.describe(split.trainingPeriods)) (\(training.rowCount) rows), validation \(Self.describe(split.validationPeriods)) (\(validation.rowCount)), gap \(Self.describe(split.gapPeriods)) dropped, test \(Self.describe(split.testPeriods)) (\(test.rowCount))"
        )
        guard test.labels.contains(0), test.labels.contains(1) else {
            throw TrainingError(.notEnoughData, "the test periods need both churned and retained customers")
        }

        let scorer: TrainedModel.Scorer
        var gainImportance: [Double]
        var trees: Int?
        switch self.kind {
        case .logistic(let configuration):
            let model = try LogisticRegressionTrainer(configuration: configuration).fit(training) { step in
                progress(
                    "logistic regression: iteration \(step.iteration), objective \(Self.short(step.objective)), gradient \(Self.short(step.gradientNorm))"
                )
            }
            scorer = .logistic(model)
            gainImportance = [Double](repeating: 0, count: data.schema.features.count)
            for term in model.numeric { gainImportance[term.feature] = abs(term.coefficient) }
            for term in model.categorical {
                gainImportance[term.feature] = term.coefficients.map(abs).max() ?? 0
            }
        case .gradientBoosting(let configuration):
            let result = try GradientBoostingTrainer(configuration: configuration).fit(
                training,
                validation: validation.rowCount > 0 ? validation : nil
            ) { step in
                if step.iteration == 1 || step.iteration % 10 == 0 {
                    progress(
                        "gradient boosting: tree \(step.iteration), \(step.leaves) leaves, training log loss \(Self.short(step.trainingLogLoss)), validation \(Self.short(step.validationLogLoss))"
                    )
                }
            }
            progress(
                "gradient boosting: kept \(result.bestIteration) of \(result.iterationsRun) trees (best validation log loss \(Self.short(result.bestValidationLogLoss)))"
            )
            scorer = .trees(result.ensemble, link: .sigmoid(scale: 1))
            gainImportance = result.gainImportance
            trees = result.bestIteration
        }

        // A provisional model scores validation and test rows; the final one adds cut-offs and metrics.
        let provisional = try Self.model(
            name: name,
            schema: data.schema,
            scorer: scorer,
            bands: RiskBands.provisional,
            metrics: [],
            createdAtMs: createdAtMs
        )
        let validationScores = try Self.probabilities(provisional, validation)
        let testScores = try Self.probabilities(provisional, test)
        var validationMetrics: ClassificationMetrics?
        var threshold = 0.5
        if validation.labels.contains(0), validation.labels.contains(1) {
            let metrics = try Self.metrics(validation.labels, validationScores, threshold: 0.5)
            threshold = metrics.bestF1Threshold
            validationMetrics = metrics
        }
        let testMetrics = try Self.metrics(test.labels, testScores, threshold: threshold)
        let bands = try self.bands(from: validationScores.isEmpty ? testScores : validationScores)
        let contributions = try Self.meanAbsoluteContributions(provisional, test)

        var metrics: [TrainedModel.Metric] = [
            .init("test_roc_auc", testMetrics.rocAUC),
            .init("test_pr_auc", testMetrics.averagePrecision),
            .init("test_log_loss", testMetrics.logLoss),
            .init("test_brier", testMetrics.brier),
            .init("threshold", threshold),
            .init("test_precision", testMetrics.precision),
            .init("test_recall", testMetrics.recall),
            .init("test_f1", testMetrics.f1),
            .init("test_top_decile_lift", testMetrics.topDecileLift),
            .init("training_rows", Double(training.rowCount)),
            .init("test_rows", Double(test.rowCount)),
        ]
        if let validationMetrics { metrics.append(.init("validation_roc_auc", validationMetrics.rocAUC)) }
        if let trees { metrics.append(.init("trees", Double(trees))) }
        for (index, feature) in data.schema.features.enumerated() {
            metrics.append(.init("importance_gain:\(feature.name)", gainImportance[index]))
            metrics.append(.init("importance_mean_abs_contribution:\(feature.name)", contributions[index]))
        }
        let model = try Self.model(
            name: name,
            schema: data.schema,
            scorer: scorer,
            bands: bands,
            metrics: metrics,
            createdAtMs: createdAtMs
        )
        return Report(
            model: model,
            split: split,
            test: testMetrics,
            validation: validationMetrics,
            threshold: threshold,
            gainImportance: gainImportance,
            meanAbsoluteContribution: contributions,
            trees: trees
        )
    }

    /// Cut-offs at the score quantiles that leave the configured shares in each band, nudged
    /// apart when scores tie.
    func bands(from scores: [Double]) throws(TrainingError) -> RiskBands {
        let sorted = scores.sorted()
        func quantile(_ share: Double) -> Double {
            guard !sorted.isEmpty else { return 0.5 }
            // The small nudge keeps 1 - 0.35 from landing one row short through rounding.
            let position = Int((Double(sorted.count) * (1 - share) + 1e-9).rounded(.down))
            return sorted[min(max(position, 0), sorted.count - 1)]
        }
        let shares = self.bandShares
        var medium = min(max(quantile(shares.critical + shares.high + shares.medium), 1e-6), 1 - 3e-6)
        var high = max(quantile(shares.critical + shares.high), medium.nextUp)
        var critical = max(quantile(shares.critical), high.nextUp)
        if critical >= 1 {
            critical = (1 as Double).nextDown
            high = min(high, critical.nextDown)
            medium = min(medium, high.nextDown)
        }
        do {
            return try RiskBands(medium: medium, high: high, critical: critical)
        } catch {
            throw TrainingError(.invalidData, "no risk-band cut-offs fit these scores: \(error.message)")
        }
    }

    static func model(
        name: String,
        schema: FeatureSchema,
        scorer: TrainedModel.Scorer,
        bands: RiskBands,
        metrics: [TrainedModel.Metric],
        createdAtMs: Int64
    ) throws(TrainingError) -> TrainedModel {
        do {
            return try TrainedModel(
                name: name,
                schema: schema,
                scorer: scorer,
                riskBands: bands,
                metrics: metrics,
                createdAtMs: createdAtMs
            )
        } catch {
            throw TrainingError(.didNotConverge, "the trained model is unusable: \(error.message)")
        }
    }

    static func probabilities(_ model: TrainedModel, _ data: TrainingSet) throws(TrainingError) -> [Double] {
        var row = [Double](repeating: 0, count: data.schema.features.count)
        var scores: [Double] = []
        scores.reserveCapacity(data.rowCount)
        for index in 0..<data.rowCount {
            data.copyRow(index, into: &row)
            do {
                scores.append(try model.probability(row))
            } catch {
                throw TrainingError(.invalidData, "row \(index) cannot be scored: \(error.message)")
            }
        }
        return scores
    }

    static func metrics(
        _ labels: [Double],
        _ scores: [Double],
        threshold: Double
    ) throws(TrainingError) -> ClassificationMetrics {
        do {
            return try ClassificationMetrics(labels: labels.map { Int($0) }, scores: scores, threshold: threshold)
        } catch {
            throw TrainingError(.notEnoughData, "cannot measure the model: \(error.message)")
        }
    }

    /// Mean |contribution| per feature over up to 2,000 evenly spaced rows (TreeSHAP is costly).
    static func meanAbsoluteContributions(_ model: TrainedModel, _ data: TrainingSet) throws(TrainingError) -> [Double]
    {
        let featureCount = data.schema.features.count
        var sums = [Double](repeating: 0, count: featureCount)
        guard data.rowCount > 0 else { return sums }
        let sampled = min(data.rowCount, 2_000)
        var row = [Double](repeating: 0, count: featureCount)
        for step in 0..<sampled {
            data.copyRow(step * data.rowCount / sampled, into: &row)
            let contributions: [Double]
            do {
                contributions = try model.contributions(row)
            } catch {
                throw TrainingError(.invalidData, "a test row cannot be explained: \(error.message)")
            }
            for feature in 0..<featureCount { sums[feature] += abs(contributions[feature]) }
        }
        return sums.map { $0 / Double(sampled) }
    }

    static func describe(_ periods: [Int]) -> String {
        guard let first = periods.first, let last = periods.last else { return "none" }
        return first == last
            ? TrainingSet.periodText(first) : "\(TrainingSet.periodText(first))…\(TrainingSet.periodText(last))"
    }

    static func short(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let scaled = (value * 1e6).rounded() / 1e6
        return "\(scaled)"
    }
}

extension RiskBands {
    /// Cut-offs for a model whose own are not chosen yet.
    static let provisional = try! RiskBands(medium: 0.25, high: 0.5, critical: 0.75)
}
