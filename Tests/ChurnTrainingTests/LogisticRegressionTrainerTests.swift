import ChurnModel
import ChurnTesting
import ChurnTraining
import Testing

@Suite(.onComputeThreads) struct LogisticRegressionTrainerTests {
    /// scikit-learn's pipeline fit on the same rows (Fixtures/make_training_fixtures.py).
    @Test func fitEqualsScikitLearn() throws {
        let expected = try Fixture.json("logistic.json")
        let set = try TrainingSet(
            table: Fixture.table("logistic.csv"),
            features: ["days_inactive", "revenue_change_3m", "satisfaction", "product_group"],
            labelColumn: "churned",
            periodColumn: "period"
        )
        #expect(set.rowCount == Int(try Fixture.number(expected, "rows")))
        guard case .categorical(let vocabulary) = set.schema.features[3].kind else {
            Issue.record("product_group should be read as categorical")
            return
        }
        #expect(vocabulary == ["fuel_cards", "hotel_stays", "toll_services"])

        let model = try LogisticRegressionTrainer(configuration: .init(c: try Fixture.number(expected, "c"))).fit(set)
        #expect(abs(model.intercept - (try Fixture.number(expected, "intercept"))) < 1e-8)
        let coefficients = try Fixture.numbers(expected, "numeric_coefficients")
        let imputed = try Fixture.numbers(expected, "imputed")
        let means = try Fixture.numbers(expected, "means")
        let scales = try Fixture.numbers(expected, "scales")
        for (index, term) in model.numeric.enumerated() {
            #expect(term.feature == index)
            #expect(abs(term.coefficient - coefficients[index]) < 1e-8)
            #expect(abs(term.imputedValue - imputed[index]) < 1e-9 * max(1, abs(imputed[index])))
            #expect(abs(term.mean - means[index]) < 1e-9 * max(1, abs(means[index])))
            #expect(abs(term.scale - scales[index]) < 1e-9 * max(1, scales[index]))
        }
        let categories = try Fixture.numbers(expected, "category_coefficients")
        #expect(model.categorical.count == 1)
        for (mine, theirs) in zip(model.categorical[0].coefficients, categories) { #expect(abs(mine - theirs) < 1e-8) }

        let probabilities = try Fixture.numbers(expected, "probabilities_first_200")
        var row = [Double](repeating: 0, count: 4)
        var largest = 0.0
        for index in 0..<200 {
            set.copyRow(index, into: &row)
            largest = max(largest, abs(try model.probability(row) - probabilities[index]))
        }
        #expect(largest < 1e-9)
    }

    @Test func oneClassIsRefused() throws {
        let schema = try FeatureSchema([.numeric("x")])
        let set = try TrainingSet(schema: schema, columns: [[1, 2, 3]], labels: [0, 0, 0], periods: [1, 1, 1])
        #expect(throws: TrainingError.self) { try LogisticRegressionTrainer().fit(set) }
    }

    @Test func infiniteValuesAndBadPenaltiesAreRefused() throws {
        let schema = try FeatureSchema([.numeric("x")])
        let infinite = try TrainingSet(
            schema: schema,
            columns: [[1, .infinity, 3]],
            labels: [0, 1, 0],
            periods: [1, 1, 1]
        )
        #expect(throws: TrainingError.self) { try LogisticRegressionTrainer().fit(infinite) }
        let fine = try TrainingSet(schema: schema, columns: [[1, 2, 3]], labels: [0, 1, 0], periods: [1, 1, 1])
        #expect(throws: TrainingError.self) { try LogisticRegressionTrainer(configuration: .init(c: 0)).fit(fine) }
    }

    @Test func progressIsReportedAndConstantFeaturesGetNoWeight() throws {
        let schema = try FeatureSchema([.numeric("signal"), .numeric("constant"), .numeric("empty")])
        let signal: [Double] = (0..<200).map { Double($0 % 20) }
        let labels: [Double] = (0..<200).map { ($0 % 20) >= 12 ? (($0 % 7) == 0 ? 0 : 1) : (($0 % 11) == 0 ? 1 : 0) }
        let set = try TrainingSet(
            schema: schema,
            columns: [signal, Array(repeating: 5, count: 200), Array(repeating: .nan, count: 200)],
            labels: labels,
            periods: Array(repeating: 0, count: 200)
        )
        var steps = 0
        let model = try LogisticRegressionTrainer().fit(set) { _ in steps += 1 }
        #expect(steps >= 2)
        #expect(model.numeric[0].coefficient > 1)
        #expect(model.numeric[1].coefficient == 0)
        #expect(model.numeric[2].coefficient == 0)
        // A missing value is imputed, not a crash.
        #expect(try model.probability([.nan, .nan, .nan]).isFinite)
    }
}
