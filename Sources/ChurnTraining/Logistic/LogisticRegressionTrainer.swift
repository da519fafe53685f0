public import ChurnModel
import Foundation

/// Fits logistic regression with an L2 penalty on standardized features, as scikit-learn's
/// `SimpleImputer(strategy="mean")` → `StandardScaler` → `OneHotEncoder(handle_unknown="ignore")`
/// → `LogisticRegression(C=…)` pipeline fits it, so the two agree on the same data.
///
/// The objective is `Σ log-loss + ‖w‖² / (2C)` (the intercept is not penalised), minimised by
/// Newton's method with a backtracking line search: the problem is strictly convex, so a handful of
/// iterations reach the optimum to machine precision (200k rows × 10 features: well under a second
/// in a release build).
///
/// ```swift
/// let model = try LogisticRegressionTrainer(configuration: .init(c: 1)).fit(trainingSet) { step in
///     print("iteration \(step.iteration): loss \(step.objective)")
/// }
/// ```
public struct LogisticRegressionTrainer: Sendable {
    /// How the model is fitted.
    public struct Configuration: Sendable, Hashable {
        /// The inverse of the L2 penalty's strength (scikit-learn's `C`). Default 1.
        public var c: Double
        /// Newton iterations allowed. Default 100.
        public var maxIterations: Int
        /// Stop when the largest gradient component is below this times the row count. Default 1e-10.
        public var tolerance: Double

        public init(c: Double = 1, maxIterations: Int = 100, tolerance: Double = 1e-10) {
            self.c = c
            self.maxIterations = maxIterations
            self.tolerance = tolerance
        }

        /// The defaults stated on each property.
        public static var defaults: Configuration { Configuration() }
    }

    /// One Newton iteration, for progress reports.
    public struct Step: Sendable, Hashable {
        public var iteration: Int
        /// The penalised objective after the step.
        public var objective: Double
        /// The largest gradient component before the step.
        public var gradientNorm: Double
    }

    public var configuration: Configuration

    public init(configuration: Configuration = .defaults) { self.configuration = configuration }

    /// Fits a model to `data`.
    ///
    /// - Throws: ``TrainingError/Code/notEnoughData`` without both classes;
    ///   ``TrainingError/Code/invalidData`` for a bad configuration or a non-finite value;
    ///   ``TrainingError/Code/didNotConverge`` if the iteration budget runs out.
    public func fit(_ data: TrainingSet, progress: (Step) -> Void = { _ in }) throws(TrainingError) -> LogisticModel {
        let c = self.configuration.c
        guard c > 0, c.isFinite, self.configuration.maxIterations > 0 else {
            throw TrainingError(.invalidData, "C must be positive and finite, and iterations ≥ 1")
        }
        let positives = data.labels.reduce(0, +)
        guard positives > 0, positives < Double(data.rowCount) else {
            throw TrainingError(.notEnoughData, "the training rows need both churned and retained customers")
        }
        let design = try Design(data)
        let n = data.rowCount
        let p = design.width
        var weights = [Double](repeating: 0, count: p)
        var objective = design.objective(weights, labels: data.labels, c: c)
        var converged = false
        for iteration in 1...self.configuration.maxIterations {
            let (gradient, hessian) = design.gradientAndHessian(weights, labels: data.labels, c: c)
            let gradientNorm = gradient.map(abs).max() ?? 0
            if gradientNorm <= self.configuration.tolerance * Double(n) {
                converged = true
                break
            }
            guard let direction = Self.solve(hessian, gradient, size: p) else {
                throw TrainingError(.didNotConverge, "the Hessian is not positive definite at iteration \(iteration)")
            }
            var stepSize = 1.0
            var candidate = weights
            var candidateObjective = objective
            for _ in 0..<40 {
                for index in 0..<p { candidate[index] = weights[index] - stepSize * direction[index] }
                candidateObjective = design.objective(candidate, labels: data.labels, c: c)
                if candidateObjective <= objective { break }
                stepSize /= 2
            }
            let change = zip(candidate, weights).map { abs($0 - $1) }.max() ?? 0
            weights = candidate
            objective = candidateObjective
            progress(Step(iteration: iteration, objective: objective, gradientNorm: gradientNorm))
            if change <= 1e-12 * max(1, weights.map(abs).max() ?? 0) {
                converged = true
                break
            }
        }
        guard converged else {
            throw TrainingError(
                .didNotConverge,
                "Newton's method did not converge in \(self.configuration.maxIterations) iterations"
            )
        }
        return try design.model(weights: weights)
    }

    /// Solves `matrix · x = vector` for a symmetric positive definite matrix by Cholesky; nil if
    /// it is not positive definite.
    static func solve(_ matrix: [Double], _ vector: [Double], size p: Int) -> [Double]? {
        var lower = [Double](repeating: 0, count: p * p)
        for row in 0..<p {
            for column in 0...row {
                var sum = matrix[row * p + column]
                for k in 0..<column { sum -= lower[row * p + k] * lower[column * p + k] }
                if row == column {
                    guard sum > 0 else { return nil }
                    lower[row * p + row] = sum.squareRoot()
                } else {
                    lower[row * p + column] = sum / lower[column * p + column]
                }
            }
        }
        var y = vector
        for row in 0..<p {
            for k in 0..<row { y[row] -= lower[row * p + k] * y[k] }
            y[row] /= lower[row * p + row]
        }
        for row in stride(from: p - 1, through: 0, by: -1) {
            for k in (row + 1)..<p { y[row] -= lower[k * p + row] * y[k] }
            y[row] /= lower[row * p + row]
        }
        return y
    }
}

/// The standardized, one-hot design matrix (row-major, intercept column last) and how to turn
/// fitted weights back into a ``LogisticModel``.
struct Design {
    struct NumericColumn {
        var feature: Int
        var imputedValue: Double
        var mean: Double
        var scale: Double
    }

    let featureCount: Int
    let numeric: [NumericColumn]
    /// Per categorical feature: its index and its vocabulary size.
    let categorical: [(feature: Int, categories: Int)]
    /// Columns including the intercept.
    let width: Int
    let rows: Int
    let values: [Double]

    init(_ data: TrainingSet) throws(TrainingError) {
        var numeric: [NumericColumn] = []
        var categorical: [(feature: Int, categories: Int)] = []
        for (index, feature) in data.schema.features.enumerated() {
            let column = data.columns[index]
            guard column.allSatisfy({ $0.isNaN || $0.isFinite }) else {
                throw TrainingError(.invalidData, "feature '\(feature.name)' has an infinite value")
            }
            switch feature.kind {
            case .numeric:
                let present = column.filter { !$0.isNaN }
                let imputed = present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
                let filled = column.map { $0.isNaN ? imputed : $0 }
                let mean = filled.reduce(0, +) / Double(filled.count)
                let variance = filled.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(filled.count)
                let deviation = variance.squareRoot()
                // scikit-learn's StandardScaler leaves (near-)constant features unscaled.
                let scale = deviation < 10 * Double.ulpOfOne * max(1, abs(mean)) ? 1 : deviation
                numeric.append(NumericColumn(feature: index, imputedValue: imputed, mean: mean, scale: scale))
            case .categorical(let vocabulary):
                categorical.append((index, vocabulary.count))
            }
        }
        let width = numeric.count + categorical.reduce(0) { $0 + $1.categories } + 1
        guard width <= 4_096 else {
            throw TrainingError(.unsupported, "\(width) design columns: too many categories for a dense fit")
        }
        let rows = data.rowCount
        var values = [Double](repeating: 0, count: rows * width)
        for row in 0..<rows {
            let base = row * width
            for (offset, column) in numeric.enumerated() {
                let raw = data.columns[column.feature][row]
                values[base + offset] = ((raw.isNaN ? column.imputedValue : raw) - column.mean) / column.scale
            }
            var offset = numeric.count
            for (feature, categories) in categorical {
                let code = data.columns[feature][row]
                if code >= 0, code < Double(categories), code == code.rounded(.down) {
                    values[base + offset + Int(code)] = 1
                }
                offset += categories
            }
            values[base + width - 1] = 1
        }
        self.featureCount = data.schema.features.count
        self.numeric = numeric
        self.categorical = categorical
        self.width = width
        self.rows = rows
        self.values = values
    }

    /// `Σ log(1 + e^z) − y·z + ‖w without intercept‖² / (2C)`.
    func objective(_ weights: [Double], labels: [Double], c: Double) -> Double {
        var total = 0.0
        self.values.withUnsafeBufferPointer { values in
            for row in 0..<self.rows {
                let z = Self.dot(values, row * self.width, weights, self.width)
                let softplus = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
                total += softplus - labels[row] * z
            }
        }
        var penalty = 0.0
        for index in 0..<(self.width - 1) { penalty += weights[index] * weights[index] }
        return total + penalty / (2 * c)
    }

    /// The objective's gradient and Hessian (row-major, symmetric).
    func gradientAndHessian(_ weights: [Double], labels: [Double], c: Double) -> ([Double], [Double]) {
        let p = self.width
        var gradient = [Double](repeating: 0, count: p)
        var hessian = [Double](repeating: 0, count: p * p)
        self.values.withUnsafeBufferPointer { values in
            for row in 0..<self.rows {
                let base = row * p
                let z = Self.dot(values, base, weights, p)
                let probability = 1 / (1 + exp(-z))
                let residual = probability - labels[row]
                let weight = probability * (1 - probability)
                for i in 0..<p {
                    let xi = values[base + i]
                    if xi == 0 { continue }
                    gradient[i] += residual * xi
                    let wxi = weight * xi
                    for j in 0...i { hessian[i * p + j] += wxi * values[base + j] }
                }
            }
        }
        for i in 0..<p {
            for j in 0..<i { hessian[j * p + i] = hessian[i * p + j] }
        }
        for index in 0..<(p - 1) {
            gradient[index] += weights[index] / c
            hessian[index * p + index] += 1 / c
        }
        return (gradient, hessian)
    }

    static func dot(_ values: UnsafeBufferPointer<Double>, _ base: Int, _ weights: [Double], _ count: Int) -> Double {
        var sum = 0.0
        for index in 0..<count { sum += values[base + index] * weights[index] }
        return sum
    }

    func model(weights: [Double]) throws(TrainingError) -> LogisticModel {
        let numericTerms = self.numeric.enumerated().map { offset, column in
            LogisticModel.NumericTerm(
                feature: column.feature,
                imputedValue: column.imputedValue,
                mean: column.mean,
                scale: column.scale,
                coefficient: weights[offset]
            )
        }
        var categoricalTerms: [LogisticModel.CategoricalTerm] = []
        var offset = self.numeric.count
        for (feature, categories) in self.categorical {
            categoricalTerms.append(
                LogisticModel.CategoricalTerm(
                    feature: feature,
                    coefficients: Array(weights[offset..<(offset + categories)])
                )
            )
            offset += categories
        }
        do {
            return try LogisticModel(
                featureCount: self.featureCount,
                intercept: weights[self.width - 1],
                numeric: numericTerms,
                categorical: categoricalTerms
            )
        } catch {
            throw TrainingError(.didNotConverge, "the fit produced an unusable model: \(error.message)")
        }
    }
}
