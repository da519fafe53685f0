import ChurnTesting
import Foundation
import Testing

/// The test targets that only compute keep their work off Swift concurrency's pool (see
/// `ComputeThreadsTrait`), and the transport tests, which drive hundreds of HTTP/2 streams, keep
/// theirs off NIO's shared event loops (see `OwnEventLoopsTrait`): a new suite there cannot stall
/// the other tests' deadlines.
@Suite("Test targets run where they stall no other test", .onComputeThreads)
struct TestPlacementTests {
    /// Each target and the trait every suite of it carries.
    static let placements: [(target: String, trait: String)] = [
        ("ChurnWireTests", ".onComputeThreads"), ("ChurnModelTests", ".onComputeThreads"),
        ("ChurnTrainingTests", ".onComputeThreads"), ("ChurnWireCompilerTests", ".onComputeThreads"),
        ("ChurnTransportTests", ".onOwnEventLoops"),
    ]

    @Test("every suite of those targets carries its trait, and no test is outside a suite")
    func everySuiteIsPlaced() throws {
        var checkedFiles = 0
        for (target, trait) in Self.placements {
            let folder = URL(fileURLWithPath: GeneratedCodeTests.root).appendingPathComponent("Tests/\(target)")
            let files = try #require(FileManager.default.enumerator(atPath: folder.path)).compactMap { $0 as? String }
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                guard text.contains("@Test") else { continue }
                checkedFiles += 1
                for problem in Self.misplaced(in: text, trait: trait) {
                    Issue.record("\(target)/\(file): \(problem)")
                }
            }
        }
        #expect(checkedFiles > 50, "the targets' test files were not found")
    }

    @Test("the check finds a suite without the trait and a test type without a suite")
    func theCheckFindsWhatIsMissing() {
        let trait = ".onComputeThreads"
        #expect(
            Self.misplaced(in: "@Suite(.onComputeThreads) struct A {\n    @Test func a() {}\n}\n", trait: trait).isEmpty
        )
        #expect(
            Self.misplaced(
                in: "@Suite(\"named\",\n    .onComputeThreads\n) struct A {\n    @Test func a() {}\n}\n",
                trait: trait
            ).isEmpty
        )
        #expect(Self.misplaced(in: "@Suite(\"named\") struct A {\n    @Test func a() {}\n}\n", trait: trait).count == 1)
        #expect(
            Self.misplaced(in: "@Suite(.onOwnEventLoops) struct A {\n    @Test func a() {}\n}\n", trait: trait).count
                == 1
        )
        #expect(Self.misplaced(in: "struct B {\n    @Test func b() {}\n}\n", trait: trait).count == 1)
        #expect(Self.misplaced(in: "extension B {\n    @Test func b() {}\n}\n", trait: trait).isEmpty)
    }

    /// What in a file's text breaks the rule: a `@Suite` attribute without `trait`, or a
    /// top-level type holding tests without a `@Suite` attribute.
    static func misplaced(in text: String, trait: String) -> [String] {
        var problems: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where line.drop(while: { $0 == " " }).hasPrefix("@Suite") {
            // The attribute runs to the declaration it marks.
            let attribute = lines[index...].prefix { !$0.contains("struct ") && !$0.contains("class ") }
            let declaration = lines.dropFirst(index + attribute.count).first ?? ""
            if !(attribute + [declaration]).contains(where: { $0.contains(trait) }) {
                problems.append("a @Suite without \(trait): \(line)")
            }
        }
        for (index, line) in lines.enumerated() {
            guard line.hasPrefix("struct ") || line.hasPrefix("final class ") || line.hasPrefix("enum ") else {
                continue
            }
            let body = lines[(index + 1)...].prefix { $0 != "}" }
            guard body.contains(where: { $0.contains("@Test") }) else { continue }
            let attributes = lines[..<index].reversed().prefix { !$0.isEmpty && !$0.hasPrefix("}") }
            if !attributes.contains(where: { $0.contains("@Suite") }) {
                problems.append("tests outside a @Suite: \(line)")
            }
        }
        return problems
    }
}
