public import ChurnModel
import Foundation

/// Trains a gradient-boosted tree ensemble for binary churn (log-loss), histogram-based and
/// leaf-wise as LightGBM trains it, with LightGBM's parameter names and defaults, and early
/// stopping on a validation set.
///
/// The first tree starts from the log-odds of the training churn rate (LightGBM's
/// `boost_from_average`); each later tree fits the log-loss gradient of the current scores.
/// Training stops after `numIterations` trees, when no leaf can be split, or when the validation
/// log loss has not improved for `earlyStoppingRounds` trees; the model keeps the trees up to the
/// best validation iteration. The result scores with ``TreeEnsemble`` like an imported LightGBM
/// model, TreeSHAP included.
///
/// ```swift
/// let result = try GradientBoostingTrainer(configuration: .defaults).fit(train, validation: valid) {
///     print("tree \($0.iteration): validation log loss \($0.validationLogLoss)")
/// }
/// ```
public struct GradientBoostingTrainer: Sendable {
    /// Hyper-parameters, named as LightGBM names them.
    public struct Configuration: Sendable, Hashable {
        /// Trees at most. Default 500.
        public var numIterations: Int
        /// Shrinkage applied to every leaf. Default 0.1.
        public var learningRate: Double
        /// Leaves per tree at most. Default 31.
        public var numLeaves: Int
        /// Training rows per leaf at least. Default 20.
        public var minDataInLeaf: Int
        /// Hessian sum per leaf at least. Default 1e-3.
        public var minSumHessianInLeaf: Double
        /// L2 penalty on leaf outputs. Default 0.
        public var lambdaL2: Double
        /// A split must gain more than this. Default 0.
        public var minGainToSplit: Double
        /// Histogram bins per feature (2...255). Default 255.
        public var maxBin: Int
        /// Stop when the validation log loss has not improved for this many trees (0: never). Default 20.
        public var earlyStoppingRounds: Int

        public init(
            numIterations: Int = 500,
            learningRate: Double = 0.1,
            numLeaves: Int = 31,
            minDataInLeaf: Int = 20,
            minSumHessianInLeaf: Double = 1e-3,
            lambdaL2: Double = 0,
            minGainToSplit: Double = 0,
            maxBin: Int = 255,
            earlyStoppingRounds: Int = 20
        ) {
            self.numIterations = numIterations
            self.learningRate = learningRate
            self.numLeaves = numLeaves
            self.minDataInLeaf = minDataInLeaf
            self.minSumHessianInLeaf = minSumHessianInLeaf
            self.lambdaL2 = lambdaL2
            self.minGainToSplit = minGainToSplit
            self.maxBin = maxBin
            self.earlyStoppingRounds = earlyStoppingRounds
        }

        /// The defaults stated on each property.
        public static var defaults: Configuration { Configuration() }
    }

    /// One boosting iteration, for progress reports.
    public struct Step: Sendable, Hashable {
        public var iteration: Int
        public var leaves: Int
        public var trainingLogLoss: Double
        /// NaN without a validation set.
        public var validationLogLoss: Double
    }

    /// The trained ensemble and what was learnt on the way.
    public struct Result: Sendable {
        public var ensemble: TreeEnsemble
        /// Trees kept (the best validation iteration).
        public var bestIteration: Int
        /// Trees grown before stopping.
        public var iterationsRun: Int
        /// The validation log loss at the best iteration (NaN without validation rows).
        public var bestValidationLogLoss: Double
        /// Per feature: the summed split gain over the kept trees (LightGBM's
        /// `importance_type="gain"`).
        public var gainImportance: [Double]
    }

    public var configuration: Configuration

    public init(configuration: Configuration = .defaults) { self.configuration = configuration }

    /// Trains on `training`, stopping early on `validation` (which may be empty).
    ///
    /// - Throws: ``TrainingError/Code/invalidData`` for a bad parameter or an infinite value,
    ///   ``TrainingError/Code/notEnoughData`` without both classes,
    ///   ``TrainingError/Code/unsupported`` for a categorical feature.
    public func fit(
        _ training: TrainingSet,
        validation: TrainingSet? = nil,
        progress: (Step) -> Void = { _ in }
    ) throws(TrainingError) -> Result {
        let c = self.configuration
        guard c.numIterations >= 1, c.learningRate > 0, c.learningRate.isFinite, c.numLeaves >= 2,
            c.minDataInLeaf >= 1, c.minSumHessianInLeaf >= 0, c.lambdaL2 >= 0, c.minGainToSplit >= 0,
            (2...255).contains(c.maxBin), c.earlyStoppingRounds >= 0
        else {
            throw TrainingError(
                .invalidData,
                "parameters out of range: iterations ≥ 1, learning rate > 0, leaves ≥ 2, min data ≥ 1, max bin 2...255, the rest ≥ 0"
            )
        }
        for (feature, column) in zip(training.schema.features, training.columns) {
            if case .categorical = feature.kind {
                throw TrainingError(
                    .unsupported,
                    "feature '\(feature.name)' is categorical; gradient boosting here takes numeric features (use logistic regression, or encode it as numbers)"
                )
            }
            guard column.allSatisfy({ $0.isNaN || $0.isFinite }) else {
                throw TrainingError(.invalidData, "feature '\(feature.name)' has an infinite value")
            }
        }
        if let validation {
            guard validation.schema == training.schema else {
                throw TrainingError(.invalidData, "the validation rows have another feature schema")
            }
        }
        let n = training.rowCount
        let positives = training.labels.reduce(0, +)
        guard positives > 0, positives < Double(n) else {
            throw TrainingError(.notEnoughData, "the training rows need both churned and retained customers")
        }

        let bins = FeatureBins(columns: training.columns, maxBins: c.maxBin)
        let grower = TreeGrower(
            bins: bins,
            parameters: .init(
                numLeaves: c.numLeaves,
                minDataInLeaf: c.minDataInLeaf,
                minSumHessianInLeaf: c.minSumHessianInLeaf,
                lambdaL2: c.lambdaL2,
                minGainToSplit: c.minGainToSplit,
                learningRate: c.learningRate
            )
        )
        let featureCount = training.schema.features.count
        let rate = positives / Double(n)
        let initialScore = log(rate / (1 - rate))
        var scores = [Double](repeating: initialScore, count: n)
        let validationRows = validation?.rowCount ?? 0
        var validationScores = [Double](repeating: initialScore, count: validationRows)
        var gradients = [Double](repeating: 0, count: n)
        var hessians = [Double](repeating: 0, count: n)
        let allRows = (0..<n).map { Int32($0) }
        var row = [Double](repeating: 0, count: featureCount)

        var trees: [DecisionTree] = []
        var gains: [[(feature: Int, gain: Double)]] = []
        var best = (iteration: 0, logLoss: Double.infinity)
        for iteration in 1...c.numIterations {
            for index in 0..<n {
                let probability = 1 / (1 + exp(-scores[index]))
                gradients[index] = probability - training.labels[index]
                hessians[index] = probability * (1 - probability)
            }
            var grown = grower.grow(rows: allRows, gradients: gradients, hessians: hessians)
            if grown.tree.splitFeature.isEmpty && iteration > 1 { break }
            for (leaf, range) in grown.leafRanges.enumerated() {
                let value = grown.tree.leafValues[leaf]
                for position in range { scores[Int(grown.rows[position])] += value }
            }
            if iteration == 1 {
                // As LightGBM does, the starting score lives in the first tree.
                grown.tree.leafValues = grown.tree.leafValues.map { $0 + initialScore }
            }
            trees.append(grown.tree)
            gains.append(grown.splitGains)

            var validationLoss = Double.nan
            if let validation, validationRows > 0 {
                let single: TreeEnsemble
                do {
                    var tree = grown.tree
                    if iteration == 1 { tree.leafValues = tree.leafValues.map { $0 - initialScore } }
                    single = try TreeEnsemble(trees: [tree], featureCount: featureCount)
                } catch {
                    throw TrainingError(.didNotConverge, "a grown tree is inconsistent: \(error.message)")
                }
                for index in 0..<validationRows {
                    validation.copyRow(index, into: &row)
                    validationScores[index] += (try? single.rawScore(row)) ?? 0
                }
                validationLoss = Self.logLoss(scores: validationScores, labels: validation.labels)
                if validationLoss < best.logLoss { best = (iteration, validationLoss) }
            } else {
                best = (iteration, .nan)
            }
            progress(
                Step(
                    iteration: iteration,
                    leaves: grown.tree.leafValues.count,
                    trainingLogLoss: Self.logLoss(scores: scores, labels: training.labels),
                    validationLogLoss: validationLoss
                )
            )
            if c.earlyStoppingRounds > 0, validationRows > 0, iteration - best.iteration >= c.earlyStoppingRounds {
                break
            }
        }
        let kept = max(best.iteration, 1)
        var importance = [Double](repeating: 0, count: featureCount)
        for treeGains in gains.prefix(kept) {
            for (feature, gain) in treeGains { importance[feature] += gain }
        }
        let ensemble: TreeEnsemble
        do {
            ensemble = try TreeEnsemble(trees: Array(trees.prefix(kept)), featureCount: featureCount)
        } catch {
            throw TrainingError(.didNotConverge, "the trained trees are inconsistent: \(error.message)")
        }
        return Result(
            ensemble: ensemble,
            bestIteration: kept,
            iterationsRun: trees.count,
            bestValidationLogLoss: best.logLoss,
            gainImportance: importance
        )
    }

    /// Mean log loss of raw scores (log-odds).
    static func logLoss(scores: [Double], labels: [Double]) -> Double {
        var total = 0.0
        for (score, label) in zip(scores, labels) {
            // log(1 + e^s) − y·s, computed stably.
            let softplus = score > 0 ? score + log1p(exp(-score)) : log1p(exp(score))
            total += softplus - label * score
        }
        return total / Double(max(labels.count, 1))
    }
}
