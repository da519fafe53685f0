/// Logistic regression with its preprocessing: numeric features mean-imputed and standardized,
/// categorical features one-hot encoded (an unknown or missing category activates none), as a
/// scikit-learn pipeline of `SimpleImputer`, `StandardScaler`, `OneHotEncoder(handle_unknown=
/// "ignore")` and `LogisticRegression` computes it.
///
/// Its drivers are exact: each numeric feature contributes `coefficient × standardized value`,
/// each categorical feature the coefficient of its category, and the intercept fills the last
/// slot, so contributions sum to the raw score (log-odds).
public struct LogisticModel: Sendable, Hashable {
    /// A numeric feature's term.
    public struct NumericTerm: Sendable, Hashable {
        public var feature: Int
        /// The value a missing (NaN) input takes: the training mean.
        public var imputedValue: Double
        public var mean: Double
        /// The standard deviation it is divided by (> 0).
        public var scale: Double
        public var coefficient: Double

        public init(feature: Int, imputedValue: Double, mean: Double, scale: Double, coefficient: Double) {
            self.feature = feature
            self.imputedValue = imputedValue
            self.mean = mean
            self.scale = scale
            self.coefficient = coefficient
        }
    }

    /// A categorical feature's term: one coefficient per category code 0, 1, ….
    public struct CategoricalTerm: Sendable, Hashable {
        public var feature: Int
        public var coefficients: [Double]

        public init(feature: Int, coefficients: [Double]) {
            self.feature = feature
            self.coefficients = coefficients
        }
    }

    public let featureCount: Int
    public let intercept: Double
    public let numeric: [NumericTerm]
    public let categorical: [CategoricalTerm]

    /// Makes a model.
    ///
    /// - Throws: ``ModelError/Code/malformedModel`` for a feature index out of range or used
    ///   twice, a scale that is not positive and finite, or a non-finite parameter.
    public init(
        featureCount: Int,
        intercept: Double,
        numeric: [NumericTerm],
        categorical: [CategoricalTerm]
    ) throws(ModelError) {
        var used: Set<Int> = []
        let features = numeric.map(\.feature) + categorical.map(\.feature)
        for feature in features {
            guard feature >= 0, feature < featureCount, used.insert(feature).inserted else {
                throw ModelError(
                    .malformedModel,
                    "feature \(feature) is out of range (0..<\(featureCount)) or has two terms"
                )
            }
        }
        for term in numeric {
            guard term.scale > 0, term.scale.isFinite, term.mean.isFinite, term.imputedValue.isFinite,
                term.coefficient.isFinite
            else {
                throw ModelError(.malformedModel, "feature \(term.feature) has a non-finite parameter or a scale ≤ 0")
            }
        }
        guard intercept.isFinite, categorical.allSatisfy({ $0.coefficients.allSatisfy(\.isFinite) }) else {
            throw ModelError(.malformedModel, "the intercept or a category coefficient is not finite")
        }
        self.featureCount = featureCount
        self.intercept = intercept
        self.numeric = numeric
        self.categorical = categorical
    }

    /// The log-odds for one row.
    ///
    /// - Throws: ``ModelError/Code/featureCountMismatch`` for a row of the wrong length.
    public func rawScore(_ row: [Double]) throws(ModelError) -> Double {
        try self.checkLength(row.count)
        return row.withUnsafeBufferPointer { self.unsafeRawScore($0) }
    }

    /// The log-odds for one row, read in place (the batch path: no copy per row).
    ///
    /// - Throws: ``ModelError/Code/featureCountMismatch`` for a row of the wrong length.
    public func rawScore(_ row: UnsafeBufferPointer<Double>) throws(ModelError) -> Double {
        try self.checkLength(row.count)
        return self.unsafeRawScore(row)
    }

    private func unsafeRawScore(_ row: UnsafeBufferPointer<Double>) -> Double {
        var sum = 0.0
        for term in self.numeric { sum += term.coefficient * Self.standardized(row[term.feature], term) }
        for term in self.categorical { sum += Self.coefficient(of: row[term.feature], term) }
        return sum + self.intercept
    }

    /// The churn probability for one row.
    ///
    /// - Throws: as ``rawScore(_:)``.
    public func probability(_ row: [Double]) throws(ModelError) -> Double {
        OutputLink.sigmoid(scale: 1).apply(try self.rawScore(row))
    }

    /// Each feature's contribution to the log-odds, then the intercept: `featureCount + 1` values
    /// that sum to ``rawScore(_:)``. Features without a term contribute 0.
    ///
    /// - Throws: as ``rawScore(_:)``.
    public func contributions(_ row: [Double]) throws(ModelError) -> [Double] {
        try self.checkLength(row.count)
        var output = [Double](repeating: 0, count: self.featureCount + 1)
        for term in self.numeric {
            output[term.feature] = term.coefficient * Self.standardized(row[term.feature], term)
        }
        for term in self.categorical { output[term.feature] = Self.coefficient(of: row[term.feature], term) }
        output[self.featureCount] = self.intercept
        return output
    }

    private func checkLength(_ count: Int) throws(ModelError) {
        guard count == self.featureCount else {
            throw ModelError(
                .featureCountMismatch,
                "the row has \(count) features, the model reads \(self.featureCount)"
            )
        }
    }

    static func standardized(_ value: Double, _ term: NumericTerm) -> Double {
        ((value.isNaN ? term.imputedValue : value) - term.mean) / term.scale
    }

    /// The coefficient of a category code; 0 for NaN, a fraction, or a code outside the terms.
    static func coefficient(of value: Double, _ term: CategoricalTerm) -> Double {
        guard let code = Int(exactly: value), code >= 0, code < term.coefficients.count else { return 0 }
        return term.coefficients[code]
    }
}
