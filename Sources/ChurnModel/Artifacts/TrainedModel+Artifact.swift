import ChurnWire

extension TrainedModel {
    /// The model as artifact file bytes: an encoded `ModelArtifactFile` holding the encoded
    /// `ModelArtifact` and its SHA-256.
    public func artifactFile() -> [UInt8] {
        let body = self.artifact().encodedBytes()
        return ModelArtifactFile(artifact: body, sha256: SHA256.hash(body)).encodedBytes()
    }

    /// Loads and verifies an artifact file.
    ///
    /// - Throws: ``ModelError/Code/malformedModel`` when the bytes are not an artifact file, the
    ///   checksum does not match, the format version is unknown, the schema hash does not match
    ///   the features, or the parameters do not form a valid model (their own checks);
    ///   ``ModelError/Code/unsupportedModel`` for a format this build cannot score.
    public init(artifactFile bytes: [UInt8]) throws(ModelError) {
        let limits = WireLimits.defaults {
            $0.maxRepeatedCount = 1 << 24
            $0.maxNestingDepth = 8
        }
        let file: ModelArtifactFile
        let artifact: ModelArtifact
        do {
            file = try ModelArtifactFile(decoding: bytes, limits: limits)
        } catch {
            throw ModelError(.malformedModel, "not a model artifact file: \(error)")
        }
        guard file.sha256.count == 32, SHA256.hash(file.artifact) == file.sha256 else {
            throw ModelError(.malformedModel, "the artifact's SHA-256 does not match its bytes: it is corrupt")
        }
        do {
            artifact = try ModelArtifact(decoding: file.artifact, limits: limits)
        } catch {
            throw ModelError(.malformedModel, "the artifact does not decode: \(error)")
        }
        try self.init(artifact: artifact)
    }

    init(artifact: ModelArtifact) throws(ModelError) {
        guard artifact.formatVersion == Self.formatVersion else {
            throw ModelError(
                .unsupportedModel,
                "artifact format version \(artifact.formatVersion); this build reads version \(Self.formatVersion)"
            )
        }
        let schema = try FeatureSchema(
            artifact.features.map {
                $0.categorical ? .categorical($0.name, vocabulary: $0.vocabulary) : .numeric($0.name)
            }
        )
        guard schema.hash == artifact.featureSchemaHash else {
            throw ModelError(.malformedModel, "the artifact's feature schema hash does not match its features")
        }
        let scorer: Scorer
        switch (artifact.format, artifact.logistic, artifact.trees) {
        case (.logisticRegression, let parameters?, nil):
            scorer = .logistic(
                try LogisticModel(
                    featureCount: schema.features.count,
                    intercept: parameters.intercept,
                    numeric: parameters.numeric.map {
                        .init(
                            feature: Int($0.feature),
                            imputedValue: $0.imputedValue,
                            mean: $0.mean,
                            scale: $0.scale,
                            coefficient: $0.coefficient
                        )
                    },
                    categorical: parameters.categorical.map {
                        .init(feature: Int($0.feature), coefficients: $0.coefficients)
                    }
                )
            )
        case (.treeEnsemble, nil, let parameters?):
            let link: OutputLink
            switch parameters.link {
            case .identity: link = .identity
            case .sigmoid:
                guard parameters.sigmoidScale > 0, parameters.sigmoidScale.isFinite else {
                    throw ModelError(.malformedModel, "the sigmoid scale must be positive")
                }
                link = .sigmoid(scale: parameters.sigmoidScale)
            case .exponential: link = .exponential
            default: throw ModelError(.unsupportedModel, "output link \(parameters.link) is unknown to this build")
            }
            let trees = parameters.trees.map { tree in
                DecisionTree(
                    splitFeature: tree.splitFeature.map { Int($0) },
                    threshold: tree.threshold,
                    decisionType: tree.decisionType,
                    leftChild: tree.leftChild.map { Int($0) },
                    rightChild: tree.rightChild.map { Int($0) },
                    leafValues: tree.leafValue,
                    leafCounts: tree.leafCount,
                    splitCounts: tree.splitCount,
                    categoryBoundaries: tree.categoryBoundaries.map { Int($0) },
                    categoryThresholds: tree.categoryBits
                )
            }
            let ensemble = try TreeEnsemble(
                trees: trees,
                featureCount: schema.features.count,
                averageOutput: parameters.averageOutput
            )
            scorer = .trees(ensemble, link: link)
        default:
            throw ModelError(
                .malformedModel,
                "format \(artifact.format) does not match the parameters the artifact carries"
            )
        }
        try self.init(
            name: artifact.name,
            schema: schema,
            scorer: scorer,
            riskBands: try RiskBands(
                medium: artifact.riskCutoffs.medium,
                high: artifact.riskCutoffs.high,
                critical: artifact.riskCutoffs.critical
            ),
            metrics: artifact.metrics.map { Metric($0.name, $0.value) },
            createdAtMs: artifact.createdAtMs
        )
    }

    /// The model as the wire's `ModelArtifact` message.
    func artifact() -> ModelArtifact {
        var artifact = ModelArtifact(
            formatVersion: Self.formatVersion,
            name: self.name,
            features: self.schema.features.map { feature in
                switch feature.kind {
                case .numeric: FeatureSpec(name: feature.name)
                case .categorical(let vocabulary):
                    FeatureSpec(name: feature.name, categorical: true, vocabulary: vocabulary)
                }
            },
            featureSchemaHash: self.schema.hash,
            riskCutoffs: RiskCutoffs(
                medium: self.riskBands.medium,
                high: self.riskBands.high,
                critical: self.riskBands.critical
            ),
            metrics: self.metrics.map { ChurnWire.Metric(name: $0.name, value: $0.value) },
            createdAtMs: self.createdAtMs
        )
        switch self.scorer {
        case .logistic(let model):
            artifact.format = .logisticRegression
            artifact.logistic = LogisticParameters(
                intercept: model.intercept,
                numeric: model.numeric.map {
                    ChurnWire.NumericTerm(
                        feature: UInt32($0.feature),
                        imputedValue: $0.imputedValue,
                        mean: $0.mean,
                        scale: $0.scale,
                        coefficient: $0.coefficient
                    )
                },
                categorical: model.categorical.map {
                    ChurnWire.CategoricalTerm(feature: UInt32($0.feature), coefficients: $0.coefficients)
                }
            )
        case .trees(let ensemble, let link):
            artifact.format = .treeEnsemble
            var parameters = TreeParameters(averageOutput: ensemble.averageOutput)
            switch link {
            case .identity: parameters.link = .identity
            case .sigmoid(let scale):
                parameters.link = .sigmoid
                parameters.sigmoidScale = scale
            case .exponential: parameters.link = .exponential
            }
            parameters.trees = ensemble.trees.map { tree in
                TreeSpec(
                    splitFeature: tree.splitFeature.map { UInt32($0) },
                    threshold: tree.threshold,
                    decisionType: tree.decisionType,
                    leftChild: tree.leftChild.map { Int32($0) },
                    rightChild: tree.rightChild.map { Int32($0) },
                    leafValue: tree.leafValues,
                    leafCount: tree.leafCounts,
                    splitCount: tree.splitCounts,
                    categoryBoundaries: tree.categoryBoundaries.map { UInt32($0) },
                    categoryBits: tree.categoryThresholds
                )
            }
            artifact.trees = parameters
        }
        return artifact
    }
}
