/// A model imported from LightGBM's text format (`booster.save_model`), scored exactly as
/// LightGBM's own `predict` scores it.
///
/// ```swift
/// let model = try LightGBMModel(text: String(decoding: data, as: UTF8.self))
/// let probability = try model.predict(row)      // what booster.predict(row) returns
/// let raw = try model.ensemble.rawScore(row)    // booster.predict(row, raw_score=True)
/// ```
///
/// Supported: one output (binary, cross-entropy and regression objectives, Poisson/gamma/Tweedie),
/// numerical and categorical splits, every missing-value mode, `average_output` (random forests).
/// Refused with a reason: multiclass and ranking models, linear trees, `sqrt` regression.
public struct LightGBMModel: Sendable {
    /// What LightGBM recorded about a feature's training values.
    public enum FeatureInfo: Sendable, Hashable {
        /// Numerical, with the range seen at training.
        case numerical(ClosedRange<Double>)
        /// Categorical, with the integer codes seen at training.
        case categorical([Int])
        /// Never used by a split.
        case unused
    }

    /// Feature names, in the order rows must give their values.
    public let featureNames: [String]
    /// Per feature, what training saw.
    public let featureInfos: [FeatureInfo]
    /// The objective line as LightGBM wrote it, such as `binary sigmoid:1`.
    public let objective: String
    /// How the raw score becomes the prediction.
    public let link: OutputLink
    /// The trees.
    public let ensemble: TreeEnsemble

    /// Parses LightGBM's text model format.
    ///
    /// - Throws: ``ModelError`` naming the line and what is wrong when the text is not a valid
    ///   model, or what is unsupported.
    public init(text: String) throws(ModelError) {
        var parser = LightGBMTextParser(text: text)
        let header = try parser.parseHeader()
        var trees: [DecisionTree] = []
        while let tree = try parser.parseTree(featureCount: header.featureCount) { trees.append(tree) }
        guard !trees.isEmpty else { throw ModelError(.malformedModel, "the model has no trees") }
        self.featureNames = header.featureNames
        self.featureInfos = header.featureInfos
        self.objective = header.objective
        self.link = header.link
        self.ensemble = try TreeEnsemble(
            trees: trees,
            featureCount: header.featureCount,
            averageOutput: header.averageOutput
        )
    }

    /// The prediction for one row: the raw score through ``link`` (a probability for binary
    /// models), equal to LightGBM's `predict`.
    ///
    /// - Throws: ``ModelError/Code/featureCountMismatch`` when the row is not one value per feature.
    public func predict(_ row: [Double]) throws(ModelError) -> Double {
        self.link.apply(try self.ensemble.rawScore(row))
    }
}
