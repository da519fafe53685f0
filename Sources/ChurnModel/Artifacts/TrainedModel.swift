/// A model ready to score: its feature schema, its scorer (logistic regression or trees), its
/// risk-band cut-offs and training metrics. Written to and read from a self-describing artifact
/// (`wire/README.md`, "Model artifacts") whose checksum, format version, schema hash and
/// parameters are all verified on load.
///
/// ```swift
/// let bytes = model.artifactFile()                       // what the registry stores
/// let loaded = try TrainedModel(artifactFile: bytes)     // refuses a corrupt or mismatched one
/// let probability = try loaded.probability(row)
/// ```
public struct TrainedModel: Sendable {
    /// How the model scores.
    public enum Scorer: Sendable {
        case logistic(LogisticModel)
        case trees(TreeEnsemble, link: OutputLink)
    }

    /// A training or evaluation metric, such as `roc_auc`.
    public struct Metric: Sendable, Hashable {
        public var name: String
        public var value: Double
        public init(_ name: String, _ value: Double) {
            self.name = name
            self.value = value
        }
    }

    /// The artifact layout this code writes and the only one it reads.
    public static let formatVersion: UInt32 = 1

    public let name: String
    public let schema: FeatureSchema
    public let scorer: Scorer
    public let riskBands: RiskBands
    public let metrics: [Metric]
    /// Milliseconds since 1970-01-01 UTC.
    public let createdAtMs: Int64

    /// Makes a model.
    ///
    /// - Throws: ``ModelError/Code/malformedModel`` when the scorer reads another number of
    ///   features than the schema has, or a tree model's link is not a probability.
    public init(
        name: String,
        schema: FeatureSchema,
        scorer: Scorer,
        riskBands: RiskBands,
        metrics: [Metric] = [],
        createdAtMs: Int64 = 0
    ) throws(ModelError) {
        let featureCount =
            switch scorer {
            case .logistic(let model): model.featureCount
            case .trees(let ensemble, _): ensemble.featureCount
            }
        guard featureCount == schema.features.count else {
            throw ModelError(
                .malformedModel,
                "the scorer reads \(featureCount) features, the schema has \(schema.features.count)"
            )
        }
        self.name = name
        self.schema = schema
        self.scorer = scorer
        self.riskBands = riskBands
        self.metrics = metrics
        self.createdAtMs = createdAtMs
    }

    /// The raw score (log-odds for a probability model).
    ///
    /// - Throws: ``ModelError/Code/featureCountMismatch`` for a row of the wrong length.
    public func rawScore(_ row: [Double]) throws(ModelError) -> Double {
        switch self.scorer {
        case .logistic(let model): try model.rawScore(row)
        case .trees(let ensemble, _): try ensemble.rawScore(row)
        }
    }

    /// The raw score of a row read in place (the batch path: no copy per row).
    ///
    /// - Throws: as ``rawScore(_:)``.
    public func rawScore(_ row: UnsafeBufferPointer<Double>) throws(ModelError) -> Double {
        switch self.scorer {
        case .logistic(let model): try model.rawScore(row)
        case .trees(let ensemble, _): try ensemble.rawScore(row)
        }
    }

    /// The churn probability of a row read in place.
    ///
    /// - Throws: as ``rawScore(_:)``.
    public func probability(_ row: UnsafeBufferPointer<Double>) throws(ModelError) -> Double {
        switch self.scorer {
        case .logistic(let model): OutputLink.sigmoid(scale: 1).apply(try model.rawScore(row))
        case .trees(let ensemble, let link): link.apply(try ensemble.rawScore(row))
        }
    }

    /// The churn probabilities of many rows at once: `rows` holds `probabilities.count` rows of
    /// the schema's width, row after row; `probabilities[i]` receives row `i`'s probability, equal
    /// to the bit to ``probability(_:)-(UnsafeBufferPointer<Double>)`` of that row.
    ///
    /// The batch path: a tree ensemble walks blocks of rows through each tree together
    /// (``TreeEnsemble/rawScores(rows:into:)``), which is faster than scoring row by row.
    ///
    /// - Throws: ``ModelError/Code/featureCountMismatch`` unless `rows.count` is
    ///   `probabilities.count` × the schema's width.
    public func probabilities(
        rows: UnsafeBufferPointer<Double>,
        into probabilities: UnsafeMutableBufferPointer<Double>
    ) throws(ModelError) {
        switch self.scorer {
        case .logistic(let model):
            let width = self.schema.features.count
            guard rows.count == probabilities.count * width else {
                throw ModelError(
                    .featureCountMismatch,
                    "\(rows.count) values are not \(probabilities.count) rows of \(width) features"
                )
            }
            let link = OutputLink.sigmoid(scale: 1)
            for index in probabilities.indices {
                let row = UnsafeBufferPointer(rebasing: rows[index * width..<(index + 1) * width])
                probabilities[index] = link.apply(try model.rawScore(row))
            }
        case .trees(let ensemble, let link):
            try ensemble.rawScores(rows: rows, into: probabilities)
            for index in probabilities.indices { probabilities[index] = link.apply(probabilities[index]) }
        }
    }

    /// The model's output for a row: the churn probability.
    ///
    /// - Throws: as ``rawScore(_:)``.
    public func probability(_ row: [Double]) throws(ModelError) -> Double {
        switch self.scorer {
        case .logistic(let model): try model.probability(row)
        case .trees(let ensemble, let link): link.apply(try ensemble.rawScore(row))
        }
    }

    /// Exact contributions to the raw score, one per feature, then the base value.
    ///
    /// - Throws: as ``rawScore(_:)``.
    public func contributions(_ row: [Double]) throws(ModelError) -> [Double] {
        switch self.scorer {
        case .logistic(let model): try model.contributions(row)
        case .trees(let ensemble, _): try ensemble.contributions(row)
        }
    }
}

extension TrainedModel {
    /// A model from an imported LightGBM model. Every feature is numeric in the schema: LightGBM's
    /// categorical columns hold its own integer codes, which rows must carry as they are.
    ///
    /// - Throws: ``ModelError`` when the names do not form a valid schema.
    public init(
        importing model: LightGBMModel,
        name: String,
        riskBands: RiskBands,
        metrics: [Metric] = [],
        createdAtMs: Int64 = 0
    ) throws(ModelError) {
        try self.init(
            name: name,
            schema: try FeatureSchema(model.featureNames.map { .numeric($0) }),
            scorer: .trees(model.ensemble, link: model.link),
            riskBands: riskBands,
            metrics: metrics,
            createdAtMs: createdAtMs
        )
    }
}
