import ChurnModel
import Foundation

/// A fixture file that is missing or not what its script writes.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// The fixtures made by `Fixtures/make_training_fixtures.py`.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func table(_ name: String) throws -> CSVTable {
        let url = Self.directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FixtureError(description: "fixture \(name) is missing; run make_training_fixtures.py")
        }
        return try CSVTable(parsing: String(decoding: data, as: UTF8.self))
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError(description: "fixture \(name) is not a JSON object")
        }
        return object
    }

    static func number(_ object: [String: Any], _ key: String) throws -> Double {
        guard let value = object[key] as? Double ?? (object[key] as? Int).map(Double.init) else {
            throw FixtureError(description: "fixture key '\(key)' is not a number")
        }
        return value
    }

    static func numbers(_ object: [String: Any], _ key: String) throws -> [Double] {
        guard let values = object[key] as? [Any] else {
            throw FixtureError(description: "fixture key '\(key)' is not a list")
        }
        return try values.map { value in
            guard let number = value as? Double ?? (value as? Int).map(Double.init) else {
                throw FixtureError(description: "fixture key '\(key)' holds a non-number")
            }
            return number
        }
    }
}
