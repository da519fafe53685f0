import ChurnModel
import ChurnScorer
import ChurnTransport
import ChurnWire
import Testing

@Suite("Scoring from held histories")
struct ScoringFromHistoryTests {
    static let model = TrainedModel.demo()
    static let context = RPCContext(method: ScoringService.score.descriptor, deadline: nil, limits: .defaults)
    static let book = try! CustomerBook(
        customers: [
            CustomerBookTests.customer(crm: 4711, group: "fuel_cards"),
            CustomerBookTests.customer(crm: 4712, group: "tolls"),
        ],
        scoringDay: .fixed(CustomerBookTests.marchEnd)
    )
    static let handlers = ScoringHandlers(
        models: ModelHolder(ServingModel(model: model, version: 3)),
        customers: book
    )

    @Test("the demo model reads the features histories are derived into")
    func demoModelReadsDerivedFeatures() {
        #expect(Self.model.schema.hash == FeatureDerivation.schema.hash)
    }

    @Test("a call without features is scored exactly as one sending the customer's derived features")
    func scoreByCRM() throws {
        let derived = try #require(try Self.book.features(crm: 4711, productGroup: "fuel_cards"))
        for hash: UInt64 in [0, Self.model.schema.hash] {
            let byCRM = try Self.handlers.score(
                ScoreRequest(crm: 4711, productGroup: "fuel_cards", featureSchemaHash: hash, topDrivers: 3),
                context: Self.context
            )
            let supplied = try Self.handlers.score(
                ScoreRequest(
                    crm: 4711,
                    productGroup: "fuel_cards",
                    featureSchemaHash: Self.model.schema.hash,
                    features: derived,
                    topDrivers: 3
                ),
                context: Self.context
            )
            #expect(byCRM == supplied)
            #expect(byCRM.probability == (try Self.model.probability(derived)))
            #expect(byCRM.drivers.count == 3)
            #expect(byCRM.drivers.allSatisfy { $0.value == derived[Int($0.feature)] || $0.value.isNaN })
        }
    }

    @Test(
        "a call without features is refused when it cannot be scored from a history",
        arguments: [
            // Another schema than the model's.
            (
                ScoreRequest(crm: 4711, productGroup: "fuel_cards", featureSchemaHash: 0xBAD),
                WireStatus.invalidArgument,
                "feature_schema_hash"
            ),
            // No such customer, or not in that product group.
            (ScoreRequest(crm: 999, productGroup: "fuel_cards"), WireStatus.notFound, "crm"),
            (ScoreRequest(crm: 4711, productGroup: "tolls"), WireStatus.notFound, "crm"),
        ]
    )
    func refused(request: ScoreRequest, status: WireStatus, field: String) {
        #expect {
            _ = try Self.handlers.score(request, context: Self.context)
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.status == status && error.field == field
        }
    }

    @Test("without histories, or with a model of other features, the caller is told to send features")
    func mustSendFeatures() throws {
        let noBook = ScoringHandlers(models: ModelHolder(ServingModel(model: Self.model, version: 1)))
        let otherModel = try TrainedModel(
            name: "churn-other",
            schema: try FeatureSchema(FeatureDerivation.schema.features.map { .numeric("other_\($0.name)") }),
            scorer: Self.model.scorer,
            riskBands: Self.model.riskBands,
            metrics: [],
            createdAtMs: 0
        )
        let otherFeatures = ScoringHandlers(
            models: ModelHolder(ServingModel(model: otherModel, version: 1)),
            customers: Self.book
        )
        for (handlers, words) in [
            (noBook, "holds no customer histories"), (otherFeatures, "not the one histories are derived into"),
        ] {
            #expect {
                _ = try handlers.score(ScoreRequest(crm: 4711, productGroup: "fuel_cards"), context: Self.context)
            } throws: { error in
                guard let error = error as? RPCError else { return false }
                return error.status == .invalidArgument && error.field == "features" && error.message.contains(words)
            }
        }
    }

    @Test("a batch frame without features is scored row for row from the histories")
    func batchByCRM() throws {
        let request = ScoreBatchRequest(
            crms: [4711, 4712, 4711],
            productGroups: ["fuel_cards", "tolls", "fuel_cards"],
            topDrivers: 2
        )
        let answer = try Self.handlers.scoreBatch(request, context: Self.context)
        #expect(answer.crms == request.crms)
        for (index, (crm, group)) in zip(request.crms, request.productGroups).enumerated() {
            let single = try Self.handlers.score(
                ScoreRequest(crm: crm, productGroup: group, topDrivers: 2),
                context: Self.context
            )
            #expect(answer.probabilities[index] == single.probability)
            #expect(answer.riskBands[index] == single.riskBand)
            #expect(answer.ruleFlags[index] == single.ruleFlags)
            #expect(Array(answer.driverFeatures[index * 2..<index * 2 + 2]) == single.drivers.map(\.feature))
        }
    }

    @Test("a batch frame with a row of no history here is refused, naming the row")
    func batchRowNotFound() {
        #expect {
            _ = try Self.handlers.scoreBatch(
                ScoreBatchRequest(crms: [4711, 5000], productGroup: "fuel_cards"),
                context: Self.context
            )
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.status == .notFound && error.field == "crm"
                && error.message.contains(
                    "row 1: this scorer holds no history of customer 5000 in product group 'fuel_cards'"
                )
        }
    }
}
