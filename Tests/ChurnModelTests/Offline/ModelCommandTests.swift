import ChurnTesting
import Foundation
import Testing

/// Runs the built `churnguard model …` as an ML engineer would, in a scratch folder.
@Suite("churnguard model", .onComputeThreads)
struct ModelCommandTests {
    static func run(_ arguments: [String]) async throws -> BuiltExecutable.Outcome {
        let root = LightGBMFixture.folder.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return try await BuiltExecutable("churnguard", packageRoot: root).run(arguments)
    }

    @Test("import a LightGBM model, show it, score a CSV with it; both model kinds give the same scores")
    func workflow() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("model-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = LightGBMFixture.folder.appendingPathComponent("mixed.model.txt").path
        let artifact = folder.appendingPathComponent("churn-gbdt.model").path
        let input = folder.appendingPathComponent("rows.csv")
        try BatchScoringTests.csv(count: 20).replacingOccurrences(of: "label,customer", with: "label,id")
            .write(to: input, atomically: true, encoding: .utf8)

        let imported = try await Self.run([
            "model", "import-lightgbm", "--model", text, "--name", "churn-gbdt", "--output", artifact,
        ])
        #expect(imported.status == 0, "\(imported.output)")
        let shown = try await Self.run(["model", "show", "--model", artifact])
        #expect(shown.output.contains("kind: tree ensemble, 200 trees"))
        #expect(shown.output.contains("name: churn-gbdt"))

        let fromText = folder.appendingPathComponent("a.csv").path
        let fromArtifact = folder.appendingPathComponent("b.csv").path
        let first = try await Self.run([
            "model", "predict", "--model", text, "--input", input.path, "--output", fromText, "--drivers", "1",
        ])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("scored 20 rows"))
        _ = try await Self.run([
            "model", "predict", "--model", artifact, "--input", input.path, "--output", fromArtifact, "--drivers", "1",
        ])
        let a = try String(contentsOfFile: fromText, encoding: .utf8)
        #expect(a == (try String(contentsOfFile: fromArtifact, encoding: .utf8)))
        let fixture = try LightGBMFixture("mixed")
        let probabilities = a.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[1])! }
        #expect(probabilities == Array(fixture.probability.prefix(20)))
    }

    @Test("eval prints scikit-learn-defined metrics for labelled rows")
    func evaluate() async throws {
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
        let outcome = try await Self.run(["model", "eval", "--model", model, "--input", input.path])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("on 200 rows"))
        let auc = outcome.output.split(separator: "\n").first { $0.hasPrefix("roc_auc") }.flatMap {
            Double($0.split(separator: " ").last!)
        }
        #expect((auc ?? 0) > 0.7 && (auc ?? 1) < 1)
        let bad = try await Self.run([
            "model", "eval", "--model", model, "--input", input.path, "--label-column", "nope",
        ])
        #expect(bad.status != 0 && bad.output.contains("no label column 'nope'"))
    }

    @Test("bad files exit 1 with the reason, and --help explains")
    func refusals() async throws {
        let missing = try await Self.run(["model", "show", "--model", "/nonexistent/model"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("cannot read model file"))
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(UUID().uuidString)")
        try Data([0x0A, 0x03, 1, 2, 3, 0x12, 0x01, 0]).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        let corrupt = try await Self.run(["model", "show", "--model", garbage.path])
        #expect(corrupt.status != 0)
        #expect(corrupt.output.contains("malformed model"))
        let help = try await Self.run(["model", "predict", "--help"])
        #expect(help.output.contains("--drivers"))
        #expect(help.output.contains("Example: churnguard model predict"))
    }
}
