import ChurnModel
import ChurnScorer
import ChurnTransport
import ChurnWire
import NIOConcurrencyHelpers
import Testing

@Suite("Scoring with a canary and a shadow")
struct CanaryAndShadowTests {
    static let context = RPCContext(method: ScoringService.score.descriptor, deadline: nil, limits: .defaults)
    static let row: [Double] = [30, 14, 4_000, -0.3, -0.25, 0.09, 0.012, 0.67, 4.2, 3]

    /// The demo model with its intercept moved, so the versions give different probabilities.
    static func variant(_ shift: Double) throws -> TrainedModel {
        let demo = TrainedModel.demo()
        guard case .logistic(let logistic) = demo.scorer else { throw CancellationError() }
        return try TrainedModel(
            name: demo.name,
            schema: demo.schema,
            scorer: .logistic(
                try LogisticModel(
                    featureCount: logistic.featureCount,
                    intercept: logistic.intercept + shift,
                    numeric: logistic.numeric,
                    categorical: logistic.categorical
                )
            ),
            riskBands: demo.riskBands
        )
    }

    @Test("production answers, the shadow scores beside it and is handed to the sink")
    func shadow() throws {
        let production = ServingModel(model: TrainedModel.demo(), version: 1)
        let shadow = ServingModel(model: try Self.variant(1), version: 2, alias: .shadow)
        let seen = NIOLockedValueBox<[ShadowScore]>([])
        let handlers = ScoringHandlers(
            models: ModelHolder(ServingModels(production: production, shadow: shadow)),
            shadowSink: { score in seen.withLockedValue { $0.append(score) } }
        )
        let answer = try handlers.score(
            ScoreRequest(crm: 9, featureSchemaHash: production.model.schema.hash, features: Self.row),
            context: Self.context
        )
        #expect(answer.model.version == 1)
        #expect(answer.probability == (try production.model.probability(Self.row)))
        let scores = seen.withLockedValue { $0 }
        #expect(scores.count == 1)
        #expect(scores.first?.shadow.version == 2 && scores.first?.shadow.alias == .shadow)
        #expect(scores.first?.productionProbability == answer.probability)
        #expect(scores.first?.shadowProbability == (try shadow.model.probability(Self.row)))
        #expect(scores.first?.shadowProbability != answer.probability)
    }

    @Test("a canary answers its customers and names itself; they are not shadowed")
    func canary() throws {
        let production = ServingModel(model: TrainedModel.demo(), version: 1)
        let canary = ServingModel(model: try Self.variant(0.5), version: 3, alias: .canary)
        let shadow = ServingModel(model: try Self.variant(1), version: 4, alias: .shadow)
        let seen = NIOLockedValueBox(0)
        let models = ServingModels(production: production, canary: canary, canaryBasisPoints: 2_000, shadow: shadow)
        let handlers = ScoringHandlers(
            models: ModelHolder(models),
            shadowSink: { _ in seen.withLockedValue { $0 += 1 } }
        )
        var canaryAnswers = 0
        for crm in UInt64(1)...UInt64(500) {
            let answer = try handlers.score(
                ScoreRequest(crm: crm, featureSchemaHash: production.model.schema.hash, features: Self.row),
                context: Self.context
            )
            let expected = models.model(forCRM: crm)
            #expect(answer.model.version == expected.identity.version)
            #expect(answer.model.alias == expected.identity.alias)
            if answer.model.alias == .canary { canaryAnswers += 1 }
        }
        #expect(canaryAnswers > 50 && canaryAnswers < 150, "about 20 % of 500: \(canaryAnswers)")
        #expect(seen.withLockedValue { $0 } == 500 - canaryAnswers)
    }
}
