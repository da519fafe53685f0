import ChurnModel
import ChurnTesting
import Testing

/// The committed fixtures are whole (their counts match what the script recorded), and a missing
/// or malformed one is reported by name rather than read wrongly.
@Suite(.onComputeThreads) struct FixtureTests {
    @Test func everyFixtureIsWhole() throws {
        let logistic = try Fixture.json("logistic.json")
        #expect(try Fixture.table("logistic.csv").rows.count == Int(try Fixture.number(logistic, "rows")))
        #expect(try Fixture.numbers(logistic, "probabilities_first_200").count == 200)
        #expect(try Fixture.numbers(logistic, "numeric_coefficients").count == 3)
        let boosting = try Fixture.json("boosting.json")
        let rows = Int(try Fixture.number(boosting, "rows"))
        #expect(try Fixture.table("boosting.csv").rows.count == rows)
        let parts = try ["training_rows", "validation_rows", "test_rows"].map { Int(try Fixture.number(boosting, $0)) }
        #expect(parts.reduce(0, +) <= rows && parts.allSatisfy { $0 > 0 })
        let auc = try Fixture.number(boosting, "lightgbm_test_auc")
        #expect(auc > 0.5 && auc < 1)
    }

    @Test func aMissingOrMalformedFixtureIsNamed() throws {
        #expect {
            try Fixture.table("no-such-fixture.csv")
        } throws: { error in
            (error as? FixtureError)?.description.contains("no-such-fixture.csv") ?? false
        }
        let logistic = try Fixture.json("logistic.json")
        #expect(throws: FixtureError.self) { try Fixture.number(logistic, "no_such_key") }
        #expect(throws: FixtureError.self) { try Fixture.numbers(logistic, "c") }
    }
}
