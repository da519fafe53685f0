public import ChurnModel
public import ChurnWire

/// A model as a scorer serves it: the trained model, the identity every answer names, the
/// business rules, and where the rules' inputs sit in the model's features. Immutable, so calls
/// in flight keep scoring with the one they started with when it is swapped.
public final class ServingModel: Sendable {
    /// The model.
    public let model: TrainedModel
    /// Name, version, alias and feature-schema hash: what every answer carries.
    public let identity: ModelIdentity
    /// The business rules reported as flags on every score.
    public let rules: BusinessRules
    /// The indices of `days_inactive`, `revenue_change_3m`, `kag_change_3m` and `satisfaction`
    /// in the model's features, when it has all four; the rules need them.
    let ruleInputs: [Int]?

    /// Makes a served model.
    public init(model: TrainedModel, version: UInt32, alias: ModelAlias = .production, rules: BusinessRules = .defaults)
    {
        self.model = model
        self.identity = ModelIdentity(
            name: model.name,
            version: version,
            alias: alias,
            featureSchemaHash: model.schema.hash
        )
        self.rules = rules
        let inputs = ["days_inactive", "revenue_change_3m", "kag_change_3m", "satisfaction"].map {
            model.schema.index(of: $0)
        }
        self.ruleInputs = inputs.allSatisfy { $0 != nil } ? inputs.map { $0! } : nil
    }

    /// How many features a row has.
    public var featureCount: Int { self.model.schema.features.count }

    /// The rules that fire for `row` (bit `1 << RuleFlag` each); none when the model's features
    /// do not include the rules' inputs.
    func ruleFlags(_ row: UnsafeBufferPointer<Double>) -> UInt32 {
        guard let inputs = self.ruleInputs else { return 0 }
        return self.rules.evaluate(
            daysInactive: row[inputs[0]],
            revenueChange: row[inputs[1]],
            kagChange: row[inputs[2]],
            satisfaction: row[inputs[3]]
        ).rawValue
    }
}
