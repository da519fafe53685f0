import ChurnModel
import ChurnTesting
import Foundation
import Testing

@Suite("Offline scoring of CSV files", .onComputeThreads)
struct BatchScoringTests {
    static let names = [
        "days_inactive", "revenue_chg_3m", "kag_chg_3m", "discount_rate", "complaints", "product_group", "region",
        "satisfaction",
    ]

    /// The first `count` fixture rows as CSV, with an id, a label and the columns in another order.
    static func csv(count: Int) throws -> String {
        let fixture = try LightGBMFixture("mixed")
        let order = [7, 0, 1, 2, 3, 4, 5, 6]
        var text = "label,customer," + order.map { names[$0] }.joined(separator: ",") + "\n"
        for (index, row) in fixture.rows.prefix(count).enumerated() {
            text += "1,c\(index)," + order.map { row[$0].isNaN ? "" : String(row[$0]) }.joined(separator: ",") + "\n"
        }
        return text
    }

    @Test("probabilities equal LightGBM's, columns found by name, extra columns ignored")
    func scores() throws {
        let fixture = try LightGBMFixture("mixed")
        let model = try TrainedModel(
            importing: try LightGBMModel(text: fixture.modelText),
            name: "mixed",
            riskBands: try RiskBands(medium: 0.2, high: 0.5, critical: 0.8)
        )
        var lines: [String] = []
        var progressed: [Int] = []
        try BatchScoring(model: model, topDrivers: 2).score(
            try CSVTable(parsing: try Self.csv(count: 300)),
            idColumn: "customer",
            progressEvery: 100,
            progress: { progressed.append($0) },
            write: { lines.append($0) }
        )
        #expect(lines[0] == "customer,probability,risk_band,rule_flags,driver_1,contribution_1,driver_2,contribution_2")
        #expect(lines.count == 301)
        #expect(progressed == [100, 200, 300])
        for (index, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields[0] == "c\(index)")
            #expect(Double(fields[1]) == fixture.probability[index])
            #expect(fields[2] == "\(model.riskBands.band(of: fixture.probability[index]))")
            #expect(Self.names.contains(String(fields[4])))
        }
    }

    @Test("rules are reported when their columns are present")
    func rules() throws {
        let schema = try FeatureSchema([
            .numeric("days_inactive"), .categorical("product_group", vocabulary: ["a", "b"]),
        ])
        let logistic = try LogisticModel(
            featureCount: 2,
            intercept: 0,
            numeric: [.init(feature: 0, imputedValue: 0, mean: 0, scale: 100, coefficient: 1)],
            categorical: [.init(feature: 1, coefficients: [0, 1])]
        )
        let model = try TrainedModel(
            name: "lr",
            schema: schema,
            scorer: .logistic(logistic),
            riskBands: try RiskBands(medium: 0.2, high: 0.5, critical: 0.8)
        )
        let csv = """
            id,days_inactive,product_group,revenue_change_3m,kag_change_3m,satisfaction
            x,120,b,-0.3,0,4
            y,10,unknown,,,
            """
        var lines: [String] = []
        try BatchScoring(model: model, topDrivers: 1).score(try CSVTable(parsing: csv)) { lines.append($0) }
        #expect(lines[1].hasPrefix("x,"))
        #expect(lines[1].split(separator: ",", omittingEmptySubsequences: false)[3] == "inactive|revenue_decrease")
        #expect(lines[1].hasSuffix(",days_inactive,1.2"))
        // An unknown category is missing (no term); missing rule inputs fire nothing.
        #expect(lines[2].split(separator: ",", omittingEmptySubsequences: false)[3] == "")
    }

    @Test("a missing feature column or a non-number cell is refused with where it is")
    func refusals() throws {
        let model = try TrainedModel(
            importing: try LightGBMModel(text: try LightGBMFixture("onehot_sigmoid2").modelText),
            name: "m",
            riskBands: try RiskBands(medium: 0.2, high: 0.5, critical: 0.8)
        )
        let scoring = BatchScoring(model: model)
        do {
            try scoring.score(try CSVTable(parsing: "id,days_inactive\n1,2\n")) { _ in }
            Issue.record("accepted a table without the model's features")
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.message.contains("'revenue_chg_3m'"))
        }
        var text = try Self.csv(count: 3).replacingOccurrences(of: "\nid", with: "\nid")
        text = text.replacingOccurrences(of: "label,customer", with: "label,id")
        var lines = text.components(separatedBy: "\n")
        var cells = lines[2].components(separatedBy: ",")
        cells[3] = "lots"
        lines[2] = cells.joined(separator: ",")
        do {
            try scoring.score(try CSVTable(parsing: lines.joined(separator: "\n"))) { _ in }
            Issue.record("accepted a non-number")
        } catch {
            #expect(error.message.hasPrefix("line 3, column 'days_inactive': 'lots' is not a number"))
        }
    }
}
