import ChurnModel
import ChurnTesting
import Testing

@Suite("TrainedModel.probabilities(rows:into:): the batch path equals row-by-row scoring", .onComputeThreads)
struct BatchProbabilityTests {
    static let bands = try! RiskBands(medium: 0.2, high: 0.5, critical: 0.8)

    /// Scores `rows` through the batch API.
    static func batch(_ model: TrainedModel, _ rows: [[Double]]) throws -> [Double] {
        let flat = rows.flatMap { $0 }
        var probabilities = [Double](repeating: .nan, count: rows.count)
        try flat.withUnsafeBufferPointer { values in
            try probabilities.withUnsafeMutableBufferPointer { try model.probabilities(rows: values, into: $0) }
        }
        return probabilities
    }

    @Test(
        "a LightGBM tree model's batch probabilities equal its one-row probabilities bit for bit",
        arguments: LightGBMFixture.names
    )
    func trees(name: String) throws {
        let fixture = try LightGBMFixture(name)
        let model = try TrainedModel(
            importing: try LightGBMModel(text: fixture.modelText),
            name: name,
            riskBands: Self.bands
        )
        // Full blocks of 64, lockstep groups of 8 and rows that walk alone.
        for count in [1, 9, 1_003] {
            let rows = Array(fixture.rows.prefix(count))
            let scored = try Self.batch(model, rows)
            let expected = try rows.map { try model.probability($0) }
            #expect(zip(scored, expected).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(name), \(count) rows")
            // And LightGBM's own predictions, through the batch path.
            #expect(
                zip(scored, fixture.probability).allSatisfy { $0.bitPattern == $1.bitPattern },
                "\(name), \(count) rows against LightGBM"
            )
        }
    }

    @Test("a logistic model's batch probabilities equal its one-row probabilities")
    func logistic() throws {
        let model = try SampleLogisticModel.model(riskBands: Self.bands)
        let rows: [[Double]] = [[95, 1], [3, 0], [.nan, 1], [40, .nan]]
        let scored = try Self.batch(model, rows)
        let expected = try rows.map { try model.probability($0) }
        #expect(zip(scored, expected).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test("values that are not whole rows are refused before anything is scored")
    func wrongWidth() throws {
        let fixture = try LightGBMFixture("mixed")
        let model = try TrainedModel(
            importing: try LightGBMModel(text: fixture.modelText),
            name: "mixed",
            riskBands: Self.bands
        )
        let width = model.schema.features.count
        var probabilities = [Double](repeating: -1, count: 2)
        let values = [Double](repeating: 1, count: 2 * width - 1)
        let error = #expect(throws: ModelError.self) {
            try values.withUnsafeBufferPointer { values in
                try probabilities.withUnsafeMutableBufferPointer { try model.probabilities(rows: values, into: $0) }
            }
        }
        #expect(error?.code == .featureCountMismatch)
        #expect(probabilities == [-1, -1])
    }
}
