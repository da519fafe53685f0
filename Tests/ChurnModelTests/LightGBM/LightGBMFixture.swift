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

    /// What the fixture script recorded beside each model.
    struct Metadata: Decodable {
        var rows: Int
        var features: Int
        var lightgbm: String
    }

    /// Loads a fixture and checks it is whole: every file has one value (or row) per test row.
    ///
    /// - Throws: ``FixtureError`` naming the file that does not fit.
    init(_ name: String) throws {
        self.name = name
        let metadata = try JSONDecoder().decode(
            Metadata.self,
            from: Data(contentsOf: Self.folder.appendingPathComponent("\(name).json"))
        )
        guard metadata.features == Self.featureCount else {
            throw FixtureError(
                description: "\(name).json says \(metadata.features) features, the tests use \(Self.featureCount)"
            )
        }
        self.modelText = try String(
            contentsOf: Self.folder.appendingPathComponent("\(name).model.txt"),
            encoding: .utf8
        )
        self.rows = try ChurnModelTests.rows(
            of: Self.doubles("rows.f64"),
            width: Self.featureCount,
            expectedRows: metadata.rows
        )
        self.probability = try Self.doubles("\(name).probability.f64")
        self.raw = try Self.doubles("\(name).raw.f64")
        for (file, count) in [("probability", self.probability.count), ("raw", self.raw.count)]
        where count != metadata.rows {
            throw FixtureError(description: "\(name).\(file).f64 has \(count) values for \(metadata.rows) rows")
        }
        self.contributions = try ChurnModelTests.rows(
            of: Self.doubles("\(name).contrib.f64"),
            width: Self.featureCount + 1,
            expectedRows: metadata.rows
        )
        self.lightGBMVersion = metadata.lightgbm
    }

    /// The LightGBM version that made the fixture.
    let lightGBMVersion: String

    static func doubles(_ file: String) throws -> [Double] {
        try readFloat64s(Self.folder.appendingPathComponent(file))
    }
}
