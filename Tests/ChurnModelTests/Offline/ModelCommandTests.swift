import Foundation
import Testing

/// Runs the built `churnguard model …` as an ML engineer would, in a scratch folder.
@Suite("churnguard model")
struct ModelCommandTests {
    static var binary: String {
        get throws {
            let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            let root = LightGBMFixture.folder.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            let candidates = [
                beside.appendingPathComponent("churnguard").path,
                beside.deletingLastPathComponent().appendingPathComponent("churnguard").path,
                root.appendingPathComponent(".build/debug/churnguard").path,
            ]
            return try #require(
                candidates.first { FileManager.default.isExecutableFile(atPath: $0) },
                "churnguard is not built"
            )
        }
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("import a LightGBM model, show it, score a CSV with it; both model kinds give the same scores")
    func workflow() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("model-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = LightGBMFixture.folder.appendingPathComponent("mixed.model.txt").path
        let artifact = folder.appendingPathComponent("churn-gbdt.model").path
        let input = folder.appendingPathComponent("rows.csv")
        try BatchScoringTests.csv(count: 20).replacingOccurrences(of: "label,customer", with: "label,id")
            .write(to: input, atomically: true, encoding: .utf8)

        let imported = try Self.run([
            "model", "import-lightgbm", "--model", text, "--name", "churn-gbdt", "--output", artifact,
        ])
        #expect(imported.status == 0, "\(imported.output)")
        let shown = try Self.run(["model", "show", "--model", artifact])
        #expect(shown.output.contains("kind: tree ensemble, 200 trees"))
        #expect(shown.output.contains("name: churn-gbdt"))

        let fromText = folder.appendingPathComponent("a.csv").path
        let fromArtifact = folder.appendingPathComponent("b.csv").path
        let first = try Self.run([
            "model", "predict", "--model", text, "--input", input.path, "--output", fromText, "--drivers", "1",
        ])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("scored 20 rows"))
        _ = try Self.run([
            "model", "predict", "--model", artifact, "--input", input.path, "--output", fromArtifact, "--drivers", "1",
        ])
        let a = try String(contentsOfFile: fromText, encoding: .utf8)
        #expect(a == (try String(contentsOfFile: fromArtifact, encoding: .utf8)))
        let fixture = try LightGBMFixture("mixed")
        let probabilities = a.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[1])! }
        #expect(probabilities == Array(fixture.probability.prefix(20)))
    }

    @Test("eval prints scikit-learn-defined metrics for labelled rows")
    func evaluate() throws {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("eval-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: input) }
        // Labels: 1 for the rows LightGBM gives at least 0.5, so the AUC is high but not 1.
        let fixture = try LightGBMFixture("mixed")
        var lines = try BatchScoringTests.csv(count: 200).components(separatedBy: "\n")
        for index in 1..<lines.count where !lines[index].isEmpty {
            let label = (fixture.probability[index - 1] >= 0.5) != (index % 7 == 0) ? "1" : "0"
            lines[index] = label + lines[index].dropFirst()
        }
        try lines.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let model = LightGBMFixture.folder.appendingPathComponent("mixed.model.txt").path
        let outcome = try Self.run(["model", "eval", "--model", model, "--input", input.path])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("on 200 rows"))
        let auc = outcome.output.split(separator: "\n").first { $0.hasPrefix("roc_auc") }.flatMap {
            Double($0.split(separator: " ").last!)
        }
        #expect((auc ?? 0) > 0.7 && (auc ?? 1) < 1)
        let bad = try Self.run(["model", "eval", "--model", model, "--input", input.path, "--label-column", "nope"])
        #expect(bad.status != 0 && bad.output.contains("no label column 'nope'"))
    }

    @Test("bad files exit 1 with the reason, and --help explains")
    func refusals() throws {
        let missing = try Self.run(["model", "show", "--model", "/nonexistent/model"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("cannot read model file"))
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(UUID().uuidString)")
        try Data([0x0A, 0x03, 1, 2, 3, 0x12, 0x01, 0]).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        let corrupt = try Self.run(["model", "show", "--model", garbage.path])
        #expect(corrupt.status != 0)
        #expect(corrupt.output.contains("malformed model"))
        let help = try Self.run(["model", "predict", "--help"])
        #expect(help.output.contains("--drivers"))
        #expect(help.output.contains("Example: churnguard model predict"))
    }
}
