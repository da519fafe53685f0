internal import ChurnModel
public import ChurnTransport
public import ChurnWire

/// The `churn.v1.Scoring` methods: one customer per call, or row frames of a streamed batch,
/// scored with the features the caller supplies or, when it sends none, with those derived from
/// the customer's history in the ``CustomerBook``. Functions of the request, the model serving
/// now and the book; they run inline on the event loop.
public struct ScoringHandlers: Sendable {
    /// Where the model is read from, once per call (or per batch frame).
    public let models: ModelHolder
    /// The most drivers one row may ask for. Default 32.
    public var maxTopDrivers: Int
    /// Receives every unary call that production and a shadow version both scored (called on
    /// the event loop: it must not block).
    public var shadowSink: (@Sendable (ShadowScore) -> Void)?
    /// The customer histories that calls without features are scored from; nil: none held, so
    /// every call must send its features.
    public var customers: CustomerBook?

    /// Makes the handlers.
    public init(
        models: ModelHolder,
        maxTopDrivers: Int = 32,
        shadowSink: (@Sendable (ShadowScore) -> Void)? = nil,
        customers: CustomerBook? = nil
    ) {
        self.models = models
        self.maxTopDrivers = maxTopDrivers
        self.shadowSink = shadowSink
        self.customers = customers
    }

    /// `Score`: one customer.
    ///
    /// - Throws: ``RPCError`` `invalidArgument` naming the field at fault: a feature-schema hash
    ///   that is not the model's, the wrong number of features, too many drivers asked for, no
    ///   features when this scorer holds no histories or its model reads other features than
    ///   histories give; `notFound` when no features are sent and the scorer holds no history of
    ///   the customer in that product group.
    public func score(_ request: ScoreRequest, context: RPCContext) throws(RPCError) -> ScoreResponse {
        let (serving, shadow) = self.models.serving(forCRM: request.crm, withShadow: self.shadowSink != nil)
        let features: [Double]
        if request.features.isEmpty {
            // The wire lets a call without features send hash 0.
            if request.featureSchemaHash != 0 { try Self.checkSchema(request.featureSchemaHash, serving) }
            features = try self.storedFeatures(request.crm, request.productGroup, serving, row: nil)
        } else {
            try Self.checkSchema(request.featureSchemaHash, serving)
            guard request.features.count == serving.featureCount else {
                throw RPCError(
                    .invalidArgument,
                    "\(request.features.count) features sent, model \(serving.identity.name) v\(serving.identity.version) reads \(serving.featureCount)",
                    field: "features"
                )
            }
            features = request.features
        }
        let topDrivers = try self.checkTopDrivers(request.topDrivers)
        let (probability, flags): (Double, UInt32)
        do {
            (probability, flags) = try features.withUnsafeBufferPointer { (row) throws(ModelError) in
                (try serving.model.probability(row), serving.ruleFlags(row))
            }
        } catch {
            throw RPCError(.internal, "scoring failed: \(error.message)")
        }
        if let shadow, let sink = self.shadowSink {
            Self.scoreShadow(shadow, request.crm, features, production: serving, probability: probability, sink: sink)
        }
        var response = ScoreResponse(
            crm: request.crm,
            productGroup: request.productGroup,
            probability: probability,
            riskBand: ChurnWire.RiskBand(rawValue: serving.model.riskBands.band(of: probability).rawValue),
            ruleFlags: flags,
            model: serving.identity
        )
        if topDrivers > 0 {
            let contributions: [Double]
            do {
                contributions = try serving.model.contributions(features)
            } catch {
                throw RPCError(.internal, "explaining the score failed: \(error.message)")
            }
            let names = serving.model.schema.features
            response.drivers = Driver.top(topDrivers, contributions: contributions, values: features).map {
                ScoreResponse.Driver(
                    feature: UInt32($0.feature),
                    name: names[$0.feature].name,
                    contribution: $0.contribution,
                    value: $0.value
                )
            }
            response.baseValue = contributions[serving.featureCount]
        }
        return response
    }

    /// Scores the call with the shadow too and hands both to `sink`; a shadow that cannot score
    /// the row (another feature count) is skipped: it never affects the answer.
    private static func scoreShadow(
        _ shadow: ServingModel,
        _ crm: UInt64,
        _ features: [Double],
        production: ServingModel,
        probability: Double,
        sink: @Sendable (ShadowScore) -> Void
    ) {
        guard shadow.featureCount == features.count else { return }
        let shadowProbability: Double? = features.withUnsafeBufferPointer { row in
            try? shadow.model.probability(row)
        }
        guard let shadowProbability else { return }
        sink(
            ShadowScore(
                crm: crm,
                production: production.identity,
                shadow: shadow.identity,
                productionProbability: probability,
                shadowProbability: shadowProbability
            )
        )
    }

    /// `ScoreBatch`: one frame of rows, answered row for row.
    ///
    /// A frame with `feature_count` 0 and no features is scored from the customers' histories,
    /// as ``score(_:context:)`` scores a call without features.
    ///
    /// - Throws: ``RPCError`` `invalidArgument` for a frame whose columns do not fit together
    ///   or do not fit the model; `notFound` naming the first row whose customer has no history
    ///   here, in a frame without features (the whole frame is refused then).
    public func scoreBatch(_ request: ScoreBatchRequest, context: RPCContext) throws(RPCError) -> ScoreBatchResponse {
        let serving = self.models.current
        let width = serving.featureCount
        let rows = request.crms.count
        guard request.productGroups.isEmpty || request.productGroups.count == rows else {
            throw RPCError(
                .invalidArgument,
                "\(request.productGroups.count) product groups for \(rows) rows",
                field: "product_groups"
            )
        }
        var features = request.features
        if request.featureCount == 0, request.features.isEmpty {
            if request.featureSchemaHash != 0 { try Self.checkSchema(request.featureSchemaHash, serving) }
            features.reserveCapacity(rows * width)
            for row in 0..<rows {
                let group = request.productGroups.isEmpty ? request.productGroup : request.productGroups[row]
                features += try self.storedFeatures(request.crms[row], group, serving, row: row)
            }
        } else {
            try Self.checkSchema(request.featureSchemaHash, serving)
            guard Int(request.featureCount) == width else {
                throw RPCError(
                    .invalidArgument,
                    "feature_count is \(request.featureCount), model \(serving.identity.name) v\(serving.identity.version) reads \(width)",
                    field: "feature_count"
                )
            }
            guard request.features.count == rows * width else {
                throw RPCError(
                    .invalidArgument,
                    "\(request.features.count) feature values for \(rows) rows of \(width)",
                    field: "features"
                )
            }
        }
        let topDrivers = try self.checkTopDrivers(request.topDrivers)

        let probabilities: [Double]
        var bands = [ChurnWire.RiskBand]()
        var flags = [UInt32]()
        bands.reserveCapacity(rows)
        flags.reserveCapacity(rows)
        let riskBands = serving.model.riskBands
        do {
            probabilities = try features.withUnsafeBufferPointer { (all) throws(ModelError) in
                // The whole frame at once: blocks of rows walk each tree together.
                let scored = try [Double](unsafeUninitializedCapacity: rows) { (buffer, count) throws(ModelError) in
                    buffer.initialize(repeating: 0)
                    count = rows
                    try serving.model.probabilities(rows: all, into: buffer)
                }
                for index in 0..<rows {
                    let row = UnsafeBufferPointer(rebasing: all[index * width..<(index + 1) * width])
                    bands.append(ChurnWire.RiskBand(rawValue: riskBands.band(of: scored[index]).rawValue))
                    flags.append(serving.ruleFlags(row))
                }
                return scored
            }
        } catch {
            throw RPCError(.internal, "scoring failed: \(error.message)")
        }
        var response = ScoreBatchResponse(
            crms: request.crms,
            probabilities: probabilities,
            riskBands: bands,
            ruleFlags: flags,
            model: serving.identity
        )
        if topDrivers > 0 {
            try Self.addDrivers(topDrivers, of: features, rows: rows, width: width, serving: serving, to: &response)
        }
        return response
    }

    private static func addDrivers(
        _ k: Int,
        of features: [Double],
        rows: Int,
        width: Int,
        serving: ServingModel,
        to response: inout ScoreBatchResponse
    ) throws(RPCError) {
        response.driverFeatures.reserveCapacity(rows * k)
        response.driverContributions.reserveCapacity(rows * k)
        for index in 0..<rows {
            let row = Array(features[index * width..<(index + 1) * width])
            let contributions: [Double]
            do {
                contributions = try serving.model.contributions(row)
            } catch {
                throw RPCError(.internal, "explaining the score failed: \(error.message)")
            }
            let drivers = Driver.top(k, contributions: contributions, values: row)
            // Exactly k entries per row; a row with fewer drivers pads with feature 0, contribution 0.
            for slot in 0..<k {
                response.driverFeatures.append(slot < drivers.count ? UInt32(drivers[slot].feature) : 0)
                response.driverContributions.append(slot < drivers.count ? drivers[slot].contribution : 0)
            }
        }
    }

    /// The features of a customer from its history, for a call or a batch row that sent none.
    private func storedFeatures(
        _ crm: UInt64,
        _ productGroup: String,
        _ serving: ServingModel,
        row: Int?
    ) throws(RPCError) -> [Double] {
        let at = row.map { "row \($0): " } ?? ""
        guard let customers = self.customers else {
            throw RPCError(
                .invalidArgument,
                "\(at)send the customer's features: this scorer holds no customer histories (it loads them with --customers-from-database)",
                field: "features"
            )
        }
        guard serving.identity.featureSchemaHash == FeatureDerivation.schema.hash else {
            throw RPCError(
                .invalidArgument,
                "\(at)send the customer's features: model \(serving.identity.name) v\(serving.identity.version) reads feature schema \(Hex.fixed64(serving.identity.featureSchemaHash)), not the one histories are derived into (\(Hex.fixed64(FeatureDerivation.schema.hash)))",
                field: "features"
            )
        }
        let found: [Double]?
        do {
            found = try customers.features(crm: crm, productGroup: productGroup)
        } catch {
            throw RPCError(.internal, "\(at)customer \(crm) in '\(productGroup)': \(error.message)")
        }
        guard let found else {
            throw RPCError(
                .notFound,
                "\(at)this scorer holds no history of customer \(crm) in product group '\(productGroup)'",
                field: "crm"
            )
        }
        return found
    }

    private static func checkSchema(_ hash: UInt64, _ serving: ServingModel) throws(RPCError) {
        guard hash == serving.identity.featureSchemaHash else {
            throw RPCError(
                .invalidArgument,
                "feature schema \(Hex.fixed64(hash)) is not model \(serving.identity.name) v\(serving.identity.version)'s \(Hex.fixed64(serving.identity.featureSchemaHash)); Health tells the current one",
                field: "feature_schema_hash"
            )
        }
    }

    private func checkTopDrivers(_ requested: UInt32) throws(RPCError) -> Int {
        guard requested <= self.maxTopDrivers else {
            throw RPCError(
                .invalidArgument,
                "top_drivers is \(requested), at most \(self.maxTopDrivers)",
                field: "top_drivers"
            )
        }
        return Int(requested)
    }
}
