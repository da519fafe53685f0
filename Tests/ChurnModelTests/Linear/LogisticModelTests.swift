import ChurnModel
import ChurnTesting
import Foundation
import Testing

@Suite("Logistic regression equals scikit-learn's pipeline", .onComputeThreads)
struct LogisticModelTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sklearn")

    struct Fixture: Decodable {
        var impute_means: [Double]
        var means: [Double]
        var scales: [Double]
        var coefficients: [Double]
        var intercept: Double
        var expected_probability: [Double]
        var expected_decision: [Double]
    }

    static func load() throws -> (LogisticModel, [[Double]], Fixture) {
        let fixture = try JSONDecoder().decode(
            Fixture.self,
            from: Data(contentsOf: folder.appendingPathComponent("logistic.json"))
        )
        let numeric = (0..<4).map {
            LogisticModel.NumericTerm(
                feature: $0,
                imputedValue: fixture.impute_means[$0],
                mean: fixture.means[$0],
                scale: fixture.scales[$0],
                coefficient: fixture.coefficients[$0]
            )
        }
        let model = try LogisticModel(
            featureCount: 5,
            intercept: fixture.intercept,
            numeric: numeric,
            categorical: [.init(feature: 4, coefficients: Array(fixture.coefficients[4...]))]
        )
        let rows = try ChurnModelTests.rows(
            of: try readFloat64s(folder.appendingPathComponent("rows.f64")),
            width: 5,
            expectedRows: fixture.expected_probability.count
        )
        return (model, rows, fixture)
    }

    @Test("probability and decision function within 1e-12 on 2,000 rows with NaN and unseen categories")
    func equality() throws {
        let (model, rows, fixture) = try Self.load()
        #expect(rows.count == 2_000)
        var maxProbability = 0.0
        var maxDecision = 0.0
        for (index, row) in rows.enumerated() {
            maxProbability = max(maxProbability, abs(try model.probability(row) - fixture.expected_probability[index]))
            maxDecision = max(maxDecision, abs(try model.rawScore(row) - fixture.expected_decision[index]))
        }
        #expect(maxProbability <= 1e-12, "max |Δ probability| \(maxProbability)")
        #expect(maxDecision <= 1e-12, "max |Δ decision| \(maxDecision)")
    }

    @Test("contributions are coefficient × standardized value and sum to the log-odds")
    func contributions() throws {
        let (model, rows, fixture) = try Self.load()
        for row in rows.prefix(200) {
            let contributions = try model.contributions(row)
            #expect(abs(contributions.reduce(0, +) - (try model.rawScore(row))) < 1e-12)
            let value = row[0].isNaN ? fixture.impute_means[0] : row[0]
            #expect(contributions[0] == fixture.coefficients[0] * ((value - fixture.means[0]) / fixture.scales[0]))
            #expect(contributions[5] == fixture.intercept)
        }
        // An unseen category (code 7) and a missing one contribute nothing.
        #expect(try model.contributions([60, 0, 0, 3, 7])[4] == 0)
        #expect(try model.contributions([60, 0, 0, 3, .nan])[4] == 0)
        #expect(try model.contributions([60, 0, 0, 3, 1])[4] == fixture.coefficients[5])
    }

    @Test("bad parameters and rows are typed errors")
    func refusals() throws {
        let term = LogisticModel.NumericTerm(feature: 0, imputedValue: 0, mean: 0, scale: 0, coefficient: 1)
        #expect(throws: ModelError.self) {
            try LogisticModel(featureCount: 1, intercept: 0, numeric: [term], categorical: [])
        }
        var good = term
        good.scale = 1
        #expect(throws: ModelError.self) {
            try LogisticModel(featureCount: 1, intercept: 0, numeric: [good, good], categorical: [])
        }
        #expect(throws: ModelError.self) {
            try LogisticModel(featureCount: 1, intercept: .nan, numeric: [good], categorical: [])
        }
        let model = try LogisticModel(featureCount: 1, intercept: 0, numeric: [good], categorical: [])
        #expect(throws: ModelError.self) { try model.rawScore([1, 2]) }
    }
}
