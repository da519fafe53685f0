import ChurnModel
import ChurnScorer
import ChurnTransport
import ChurnWire
import Testing

@Suite("Scoring handlers")
struct ScoringHandlersTests {
    static let model = TrainedModel.demo()
    static let handlers = ScoringHandlers(models: ModelHolder(ServingModel(model: model, version: 7)))
    static let context = RPCContext(method: ScoringService.score.descriptor, deadline: nil, limits: .defaults)
    /// An at-risk customer of the demo model: inactive 120 days, revenue and KAG down, unhappy.
    static let row: [Double] = [120, 8, 2_500, -0.6, -0.5, 0.1, 0.02, 0.3, 2.0, 0]

    @Test("a score is the model's probability, band, rule flags, drivers and identity")
    func score() throws {
        let answer = try Self.handlers.score(
            ScoreRequest(
                crm: 4711,
                productGroup: "tolls",
                featureSchemaHash: Self.model.schema.hash,
                features: Self.row,
                topDrivers: 3
            ),
            context: Self.context
        )
        let probability = try Self.model.probability(Self.row)
        #expect(answer.crm == 4711)
        #expect(answer.productGroup == "tolls")
        #expect(answer.probability == probability)
        #expect(answer.riskBand.rawValue == Self.model.riskBands.band(of: probability).rawValue)
        let expectedFlags: UInt32 =
            1 << RuleFlag.inactive.rawValue | 1 << RuleFlag.revenueDecrease.rawValue
            | 1 << RuleFlag.transactionDecrease.rawValue | 1 << RuleFlag.lowSatisfaction.rawValue
        #expect(answer.ruleFlags == expectedFlags)
        #expect(
            answer.model
                == ModelIdentity(
                    name: "churn-demo",
                    version: 7,
                    alias: .production,
                    featureSchemaHash: Self.model.schema.hash
                )
        )
        let contributions = try Self.model.contributions(Self.row)
        let top = Driver.top(3, contributions: contributions, values: Self.row)
        #expect(answer.drivers.map(\.feature) == top.map { UInt32($0.feature) })
        #expect(answer.drivers.map(\.contribution) == top.map(\.contribution))
        #expect(answer.drivers.first?.name == Self.model.schema.features[top[0].feature].name)
        #expect(answer.baseValue == contributions.last)
        // Contributions and the base value add up to the log-odds.
        let logOdds = contributions.reduce(0, +)
        #expect(abs(logOdds - (try Self.model.rawScore(Self.row))) < 1e-12)
    }

    @Test("no drivers asked, none computed")
    func noDrivers() throws {
        let answer = try Self.handlers.score(
            ScoreRequest(crm: 1, featureSchemaHash: Self.model.schema.hash, features: Self.row),
            context: Self.context
        )
        #expect(answer.drivers.isEmpty)
        #expect(answer.baseValue == 0)
    }

    @Test(
        "requests that cannot be scored are refused with the field at fault",
        arguments: [
            (ScoreRequest(crm: 1, featureSchemaHash: 0xBAD, features: row), "feature_schema_hash"),
            (ScoreRequest(crm: 1, featureSchemaHash: model.schema.hash, features: []), "features"),
            (ScoreRequest(crm: 1, featureSchemaHash: model.schema.hash, features: [1, 2, 3]), "features"),
            (ScoreRequest(crm: 1, featureSchemaHash: model.schema.hash, features: row, topDrivers: 33), "top_drivers"),
        ]
    )
    func refused(request: ScoreRequest, field: String) {
        #expect {
            _ = try Self.handlers.score(request, context: Self.context)
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.status == .invalidArgument && error.field == field
        }
    }

    @Test("a batch frame is scored row for row exactly as one-by-one calls score")
    func batch() throws {
        let rows: [[Double]] = (0..<50).map { index in
            Self.row.enumerated().map { feature, value in value * (0.5 + Double((index * 7 + feature) % 11) / 10) }
        }
        let request = ScoreBatchRequest(
            featureSchemaHash: Self.model.schema.hash,
            featureCount: 10,
            crms: (0..<50).map { UInt64(1000 + $0) },
            productGroup: "fuel-cards",
            features: rows.flatMap { $0 },
            topDrivers: 2
        )
        let answer = try Self.handlers.scoreBatch(request, context: Self.context)
        #expect(answer.crms == request.crms)
        #expect(answer.probabilities.count == 50)
        #expect(answer.driverFeatures.count == 100)
        for (index, row) in rows.enumerated() {
            let single = try Self.handlers.score(
                ScoreRequest(crm: 1, featureSchemaHash: Self.model.schema.hash, features: row, topDrivers: 2),
                context: Self.context
            )
            #expect(answer.probabilities[index] == single.probability)
            #expect(answer.riskBands[index] == single.riskBand)
            #expect(answer.ruleFlags[index] == single.ruleFlags)
            #expect(Array(answer.driverFeatures[index * 2..<index * 2 + 2]) == single.drivers.map(\.feature))
            #expect(Array(answer.driverContributions[index * 2..<index * 2 + 2]) == single.drivers.map(\.contribution))
        }
    }

    @Test(
        "batch frames whose columns do not fit are refused with the field at fault",
        arguments: [
            (
                ScoreBatchRequest(featureSchemaHash: 1, featureCount: 10, crms: [1], features: row),
                "feature_schema_hash"
            ),
            (
                ScoreBatchRequest(featureSchemaHash: model.schema.hash, featureCount: 9, crms: [1], features: row),
                "feature_count"
            ),
            (
                ScoreBatchRequest(featureSchemaHash: model.schema.hash, featureCount: 10, crms: [1, 2], features: row),
                "features"
            ),
            (
                ScoreBatchRequest(
                    featureSchemaHash: model.schema.hash,
                    featureCount: 10,
                    crms: [1],
                    productGroups: ["a", "b"],
                    features: row
                ), "product_groups"
            ),
        ]
    )
    func batchRefused(request: ScoreBatchRequest, field: String) {
        #expect {
            _ = try Self.handlers.scoreBatch(request, context: Self.context)
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.status == .invalidArgument && error.field == field
        }
    }

    @Test("a swapped model serves the next call; the old one is returned")
    func swap() throws {
        let holder = ModelHolder(ServingModel(model: Self.model, version: 1))
        let handlers = ScoringHandlers(models: holder)
        let request = ScoreRequest(crm: 1, featureSchemaHash: Self.model.schema.hash, features: Self.row)
        #expect(try handlers.score(request, context: Self.context).model.version == 1)
        let old = holder.swap(to: ServingModel(model: Self.model, version: 2, alias: .canary))
        #expect(old.identity.version == 1)
        let answer = try handlers.score(request, context: Self.context)
        #expect(answer.model.version == 2)
        #expect(answer.model.alias == .canary)
    }

    @Test("a swapped-out model is freed once the last call holding it is done, and not before")
    func oldModelFreed() throws {
        let holder = ModelHolder(ServingModel(model: Self.model, version: 1))
        weak var first: ServingModel?
        weak var second: ServingModel?
        var inFlight: ServingModel? = holder.serving(forCRM: 42)
        first = inFlight
        // v2 replaces v1 while a call still holds v1; then v3 replaces v2, which no call holds.
        holder.swap(to: ServingModel(model: Self.model, version: 2))
        second = holder.current
        holder.swap(to: ServingModel(model: Self.model, version: 3))
        #expect(first != nil, "v1 is freed while a call still scores with it")
        #expect(second == nil, "v2 outlives its last reference")
        #expect(inFlight?.identity.version == 1)
        inFlight = nil
        #expect(first == nil, "v1 is not freed after its last call")
        #expect(holder.current.identity.version == 3)
    }

    @Test("health reports the model, and DRAINING once shutdown began")
    func health() {
        let health = HealthHandler(nodeID: "n1", models: ModelHolder(ServingModel(model: Self.model, version: 3)))
        let context = RPCContext(method: HealthService.check.descriptor, deadline: nil, limits: .defaults)
        let before = health.check(HealthRequest(), context: context)
        #expect(before.state == .serving)
        #expect(before.nodeId == "n1")
        #expect(before.model.version == 3)
        #expect(before.model.featureSchemaHash == Self.model.schema.hash)
        #expect(before.build == HealthHandler.build)
        health.beginDraining()
        #expect(health.check(HealthRequest(), context: context).state == .draining)
    }
}
