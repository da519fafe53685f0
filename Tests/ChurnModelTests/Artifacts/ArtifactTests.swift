import ChurnModel
import ChurnTesting
import ChurnWire
import Testing

@Suite("Model artifacts: round trip and verification on load", .onComputeThreads)
struct ArtifactTests {
    static let bands = try! RiskBands(medium: 0.2, high: 0.5, critical: 0.8)

    static func treeModel() throws -> TrainedModel {
        let fixture = try LightGBMFixture("mixed")
        return try TrainedModel(
            importing: try LightGBMModel(text: fixture.modelText),
            name: "churn-gbdt",
            riskBands: Self.bands,
            metrics: [.init("roc_auc", 0.81)],
            createdAtMs: 1_790_000_000_000
        )
    }

    @Test("a LightGBM tree model survives the artifact with every prediction and contribution equal")
    func treeRoundTrip() throws {
        let fixture = try LightGBMFixture("mixed")
        let model = try Self.treeModel()
        let loaded = try TrainedModel(artifactFile: model.artifactFile())
        #expect(loaded.name == "churn-gbdt")
        #expect(loaded.schema == model.schema)
        #expect(loaded.metrics == [.init("roc_auc", 0.81)])
        #expect(loaded.createdAtMs == 1_790_000_000_000)
        #expect(loaded.riskBands == Self.bands)
        for (index, row) in fixture.rows.enumerated() {
            #expect(try loaded.probability(row).bitPattern == fixture.probability[index].bitPattern)
        }
        for row in fixture.rows.prefix(50) {
            #expect(try loaded.contributions(row) == (try model.contributions(row)))
        }
        // Encoding is deterministic: the same model gives the same bytes.
        #expect(loaded.artifactFile() == model.artifactFile())
    }

    @Test(
        "every fixture model, categorical sets and forests included, round-trips its trees exactly",
        arguments: LightGBMFixture.names
    )
    func everyFixture(name: String) throws {
        let lightGBM = try LightGBMModel(text: try LightGBMFixture(name).modelText)
        let model = try TrainedModel(importing: lightGBM, name: name, riskBands: Self.bands)
        let loaded = try TrainedModel(artifactFile: model.artifactFile())
        guard case .trees(let ensemble, let link) = loaded.scorer else {
            Issue.record("not a tree model")
            return
        }
        #expect(ensemble.trees == lightGBM.ensemble.trees)
        #expect(ensemble.averageOutput == lightGBM.ensemble.averageOutput)
        #expect(link == lightGBM.link)
    }

    @Test("a logistic model round-trips")
    func logisticRoundTrip() throws {
        let logistic = try SampleLogisticModel.logistic()
        let model = try SampleLogisticModel.model(riskBands: Self.bands)
        let loaded = try TrainedModel(artifactFile: model.artifactFile())
        guard case .logistic(let restored) = loaded.scorer else {
            Issue.record("not a logistic model")
            return
        }
        #expect(restored == logistic)
        #expect(try loaded.probability([95, 1]) == (try model.probability([95, 1])))
    }

    private static func refusal(_ bytes: [UInt8]) -> ModelError? {
        do {
            _ = try TrainedModel(artifactFile: bytes)
            return nil
        } catch {
            return error
        }
    }

    /// Re-wraps an edited artifact with a valid checksum, so only the edit is wrong.
    private static func rewrapped(_ model: TrainedModel, _ edit: (inout ModelArtifact) -> Void) throws -> [UInt8] {
        let file = try ModelArtifactFile(
            decoding: model.artifactFile(),
            limits: .defaults { $0.maxRepeatedCount = 1 << 24 }
        )
        var artifact = try ModelArtifact(decoding: file.artifact, limits: .defaults { $0.maxRepeatedCount = 1 << 24 })
        edit(&artifact)
        let body = artifact.encodedBytes()
        return ModelArtifactFile(artifact: body, sha256: SHA256.hash(body)).encodedBytes()
    }

    @Test("a corrupt, truncated or foreign file is refused with the reason")
    func corrupt() throws {
        let bytes = try Self.treeModel().artifactFile()
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        let corrupt = try #require(Self.refusal(flipped))
        #expect(corrupt.description.contains("SHA-256") || corrupt.description.contains("not a model artifact"))
        #expect(Self.refusal(Array(bytes.prefix(bytes.count - 10)))?.code == .malformedModel)
        #expect(Self.refusal(Array("tree\nversion=v4\n".utf8))?.code == .malformedModel)
        #expect(Self.refusal([])?.code == .malformedModel)
    }

    @Test("a checksummed artifact with a wrong version, schema hash, format or tree is refused")
    func mismatched() throws {
        let model = try Self.treeModel()
        let version = try #require(Self.refusal(try Self.rewrapped(model) { $0.formatVersion = 2 }))
        #expect(version.code == .unsupportedModel)
        let hash = try #require(Self.refusal(try Self.rewrapped(model) { $0.featureSchemaHash ^= 1 }))
        #expect(hash.description.contains("schema hash"))
        let format = try #require(Self.refusal(try Self.rewrapped(model) { $0.format = .logisticRegression }))
        #expect(format.description.contains("does not match the parameters"))
        let tree = try #require(Self.refusal(try Self.rewrapped(model) { $0.trees?.trees[3].leftChild[0] = 999 }))
        #expect(tree.code == .inconsistentTree)
        let bands = try #require(Self.refusal(try Self.rewrapped(model) { $0.riskCutoffs.high = 0.1 }))
        #expect(bands.description.contains("cut-offs"))
    }
}
