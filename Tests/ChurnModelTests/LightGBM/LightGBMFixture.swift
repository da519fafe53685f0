import ChurnModel
import Foundation

/// A model and LightGBM's own outputs for it, made by `Fixtures/make_lightgbm_fixtures.py`.
struct LightGBMFixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/lightgbm")
    static let names = ["mixed", "zero_missing", "forest", "regression", "onehot_sigmoid2"]
    static let featureCount = 8

    let name: String
    let modelText: String
    let rows: [[Double]]
    let probability: [Double]
    let raw: [Double]
    /// Per row: one contribution per feature, then the expected value.
    let contributions: [[Double]]

    init(_ name: String) throws {
        self.name = name
        self.modelText = try String(
            contentsOf: Self.folder.appendingPathComponent("\(name).model.txt"),
            encoding: .utf8
        )
        let rows = try Self.doubles("rows.f64")
        self.rows = ChurnModelTests.rows(of: rows, width: Self.featureCount)
        self.probability = try Self.doubles("\(name).probability.f64")
        self.raw = try Self.doubles("\(name).raw.f64")
        let width = Self.featureCount + 1
        let contributions = try Self.doubles("\(name).contrib.f64")
        self.contributions = ChurnModelTests.rows(of: contributions, width: width)
    }

    static func doubles(_ file: String) throws -> [Double] {
        try readFloat64s(Self.folder.appendingPathComponent(file))
    }
}
