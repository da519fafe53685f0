import ChurnModel
import ChurnTesting
import Testing

@Suite("LightGBM import: predictions equal LightGBM's own", .onComputeThreads)
struct LightGBMEqualityTests {
    @Test(
        "probability and raw score equal booster.predict on 10,000 rows with NaN, infinities and odd categories",
        arguments: LightGBMFixture.names
    )
    func predictions(name: String) throws {
        let fixture = try LightGBMFixture(name)
        let model = try LightGBMModel(text: fixture.modelText)
        #expect(model.featureNames.count == LightGBMFixture.featureCount)
        #expect(fixture.rows.count == 10_000)
        var maxProbabilityError = 0.0
        var maxRawError = 0.0
        var differing = 0
        for (index, row) in fixture.rows.enumerated() {
            // LightGBM's raw_score=True is the trees' plain sum even for averaged models (it averages
            // later, in Predict); ours is the score the link is applied to, so scale to compare.
            let scale = model.ensemble.averageOutput ? Double(model.ensemble.treeCount) : 1
            let raw = try model.ensemble.rawScore(row) * scale
            let probability = try model.predict(row)
            maxRawError = max(maxRawError, abs(raw - fixture.raw[index]))
            maxProbabilityError = max(maxProbabilityError, abs(probability - fixture.probability[index]))
            if probability.bitPattern != fixture.probability[index].bitPattern { differing += 1 }
        }
        #expect(maxProbabilityError <= 1e-12, "\(name): max |Δ probability| \(maxProbabilityError)")
        #expect(maxRawError <= 1e-12 * max(1, abs(fixture.raw.max() ?? 1)), "\(name): max |Δ raw| \(maxRawError)")
        // In practice they are identical bit for bit; record it so a change is noticed.
        #expect(differing == 0, "\(name): \(differing) rows differ in their last bits")
    }

    @Test(
        "batch scoring equals row-by-row scoring bit for bit, for every block size and remainder",
        arguments: LightGBMFixture.names
    )
    func batch(name: String) throws {
        let fixture = try LightGBMFixture(name)
        let ensemble = try LightGBMModel(text: fixture.modelText).ensemble
        // 1,000 rows: 15 full blocks of 64 and a remainder of 40 (five lockstep groups of 8, none left).
        // 1,003 rows: a remainder of 43, so the last three rows walk alone.
        for count in [1, 7, 1_000, 1_003] {
            let rows = Array(fixture.rows.prefix(count))
            let flat = rows.flatMap { $0 }
            var scores = [Double](repeating: .nan, count: count)
            try flat.withUnsafeBufferPointer { values in
                try scores.withUnsafeMutableBufferPointer { try ensemble.rawScores(rows: values, into: $0) }
            }
            let expected = try rows.map { try ensemble.rawScore($0) }
            #expect(zip(scores, expected).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(name), \(count) rows")
        }
        var one = [0.0]
        #expect(throws: ModelError.self) {
            try [1.0, 2].withUnsafeBufferPointer { values in
                try one.withUnsafeMutableBufferPointer { try ensemble.rawScores(rows: values, into: $0) }
            }
        }
    }
}

@Suite("TreeSHAP contributions equal LightGBM's pred_contrib", .onComputeThreads)
struct TreeSHAPEqualityTests {
    /// Every tenth row (1,000 per model, NaN and odd categories included): TreeSHAP in a debug
    /// build costs about 5 ms a row on the 200-tree model.
    @Test(
        "every contribution within 1e-6 on 1,000 rows, and they sum to the raw score",
        arguments: LightGBMFixture.names
    )
    func contributions(name: String) throws {
        let fixture = try LightGBMFixture(name)
        let model = try LightGBMModel(text: fixture.modelText)
        // LightGBM's pred_contrib, like its raw_score, is not averaged for averaged models.
        let scale = model.ensemble.averageOutput ? Double(model.ensemble.treeCount) : 1
        var maxError = 0.0
        var maxSumError = 0.0
        for index in stride(from: 0, to: fixture.rows.count, by: 10) {
            let row = fixture.rows[index]
            let contributions = try model.ensemble.contributions(row)
            for (ours, theirs) in zip(contributions, fixture.contributions[index]) {
                maxError = max(maxError, abs(ours * scale - theirs))
            }
            maxSumError = max(maxSumError, abs(contributions.reduce(0, +) - (try model.ensemble.rawScore(row))))
        }
        #expect(maxError <= 1e-6, "\(name): max |Δ contribution| \(maxError)")
        print("TreeSHAP \(name): max |Δ contribution| = \(maxError)")
        #expect(maxSumError <= 1e-9, "\(name): contributions miss the raw score by \(maxSumError)")
    }
}
