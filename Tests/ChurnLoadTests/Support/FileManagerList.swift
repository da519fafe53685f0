import Foundation

/// Lists files for tests.
enum FileManagerList {
    /// The `.toml` files in `directory`, sorted.
    static func tomlFiles(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".toml") }.sorted().map {
            "\(directory)/\($0)"
        }
    }
}
