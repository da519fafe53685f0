import ChurnModel
import ChurnTesting
import Foundation
import Testing

@Suite("LightGBM import refuses bad and unsupported models with a reason", .onComputeThreads)
struct LightGBMImportErrorTests {
    static let text = (try? LightGBMFixture("onehot_sigmoid2").modelText) ?? ""

    private static func refusal(_ text: String) -> ModelError? {
        do {
            _ = try LightGBMModel(text: text)
            return nil
        } catch {
            return error
        }
    }

    /// The fixture with the first line that starts with `prefix` replaced (or removed when nil).
    private static func editing(_ prefix: String, to replacement: String?) -> String {
        var lines = Self.text.components(separatedBy: "\n")
        guard let index = lines.firstIndex(where: { $0.hasPrefix(prefix) }) else {
            Issue.record("no line starts with \(prefix)")
            return Self.text
        }
        if let replacement { lines[index] = replacement } else { lines.remove(at: index) }
        return lines.joined(separator: "\n")
    }

    @Test("the fixture itself imports")
    func baseline() throws {
        let model = try LightGBMModel(text: Self.text)
        #expect(model.link == .sigmoid(scale: 2))
        #expect(model.featureInfos[5] != .unused)
        if case .categorical(let codes) = model.featureInfos[5] {
            #expect(codes.contains(-1))
        } else {
            Issue.record("feature 5 is not categorical")
        }
    }

    @Test(
        "malformed text names its line",
        arguments: [
            ("header", "not a model", "malformed model: line 1: expected 'tree'"),
            (
                "max_feature_idx=", "max_feature_idx=x",
                "malformed model: line 6: max_feature_idx 'x' is not a feature index"
            ),
            (
                "feature_names=", "feature_names=a b",
                "malformed model: line 8: feature_names has 2 names for 8 features"
            ),
            ("threshold=", "threshold=1 2 abc", "malformed model: line"),
            ("num_leaves=", "num_leaves=0", "malformed model: line"),
            ("leaf_value=", nil, "has no 'leaf_value='"),
        ] as [(String, String?, String)]
    )
    func malformed(prefix: String, replacement: String?, expected: String) throws {
        let text = prefix == "header" ? "not a model\n" + Self.text.dropFirst(5) : Self.editing(prefix, to: replacement)
        let error = try #require(Self.refusal(text))
        #expect(error.description.contains(expected), "\(error)")
    }

    @Test(
        "broken tree structure is refused",
        arguments: [
            ("left_child=", "left_child=1 1 1 1 1 1", "reached twice"),
            ("right_child=", "right_child=9 9 9 9 9 9", "out of range"),
            ("split_feature=", "split_feature=1 2 3", "split_feature has 3 entries"),
            ("split_feature=", "split_feature=40 0 0 0 0 0", "reads feature 40, the model has 8"),
        ]
    )
    func brokenTree(prefix: String, replacement: String, expected: String) throws {
        let error = try #require(Self.refusal(Self.editing(prefix, to: replacement)))
        #expect(error.code == .inconsistentTree || error.code == .malformedModel)
        #expect(error.description.contains(expected), "\(error)")
    }

    @Test(
        "unsupported models are refused with what is supported",
        arguments: [
            ("num_class=", "num_class=3", "only one-output models"),
            ("objective=", "objective=multiclass num_class:3", "objective 'multiclass' is not supported"),
            ("objective=", "objective=regression sqrt", "sqrt"),
            ("is_linear=", "is_linear=1", "linear tree"),
        ]
    )
    func unsupported(prefix: String, replacement: String, expected: String) throws {
        let error = try #require(Self.refusal(Self.editing(prefix, to: replacement)))
        #expect(error.code == .unsupportedModel)
        #expect(error.description.contains(expected), "\(error)")
    }

    @Test("a row of the wrong length is a typed error, not a crash")
    func wrongRow() throws {
        let model = try LightGBMModel(text: Self.text)
        #expect(throws: ModelError.self) { try model.predict([1, 2, 3]) }
        #expect(throws: ModelError.self) { try model.ensemble.contributions([]) }
        do {
            _ = try model.predict(Array(repeating: 0, count: 9))
        } catch {
            #expect(error.code == .featureCountMismatch)
        }
    }

    @Test("a single-leaf tree scores its leaf value and explains nothing")
    func singleLeaf() throws {
        let ensemble = try TreeEnsemble(trees: [DecisionTree(leafValues: [0.25])], featureCount: 2)
        #expect(try ensemble.rawScore([1, 2]) == 0.25)
        #expect(try ensemble.contributions([1, 2]) == [0, 0, 0.25])
    }
}
