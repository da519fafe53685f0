import ChurnModel
import ChurnRegistry
import ChurnScorer
import ChurnWire

/// Turns the registry's verified models into what a scorer serves.
enum RegistryServing {
    static func servingModels(_ models: RegistryModels, rules: BusinessRules) -> ServingModels {
        func serving(_ loaded: RegistryModels.Loaded, _ alias: ModelAlias) -> ServingModel {
            ServingModel(model: loaded.model, version: UInt32(clamping: loaded.version), alias: alias, rules: rules)
        }
        return ServingModels(
            production: serving(models.production, .production),
            canary: models.canary.map { serving($0, .canary) },
            canaryBasisPoints: models.canaryBasisPoints,
            shadow: models.shadow.map { serving($0, .shadow) }
        )
    }

    /// The scorer's shadow hook, feeding `recorder`.
    static func shadowSink(_ recorder: ShadowRecorder) -> @Sendable (ShadowScore) -> Void {
        { score in
            recorder.record(
                ShadowRecorder.Observation(
                    name: score.production.name,
                    productionVersion: Int(score.production.version),
                    shadowVersion: Int(score.shadow.version),
                    crm: score.crm,
                    productionProbability: score.productionProbability,
                    shadowProbability: score.shadowProbability
                )
            )
        }
    }
}
