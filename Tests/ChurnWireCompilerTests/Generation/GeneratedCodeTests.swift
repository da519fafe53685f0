import ChurnTesting
import ChurnWireCompiler
import Foundation
import Testing

@Suite("Generated code", .onComputeThreads)
struct GeneratedCodeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    @Test("the committed generated code is what the compiler makes from wire/ now")
    func committedCodeIsFresh() throws {
        let generator = SwiftGenerator(schema: try SchemaLoader.load("wire", root: Self.root))
        for file in generator.generateLibrary() {
            let committed = try String(
                contentsOfFile: "\(Self.root)/Sources/ChurnWire/Generated/\(file.name)",
                encoding: .utf8
            )
            #expect(committed == file.contents, "\(file.name) is stale: run `swift run churnwirec`")
        }
        let conformance = SwiftGenerator(
            schema: try SchemaLoader.load("wire/conformance", root: Self.root),
            placement: .importing(module: "ChurnWire")
        )
        let testFiles =
            [generator.generateTestSamplers()] + conformance.generateLibrary()
            + [
                conformance.generateTestSamplers(
                    fileName: "Conformance+Random.swift",
                    listName: "allConformanceMessages"
                )
            ]
        for file in testFiles {
            let committed = try String(
                contentsOfFile: "\(Self.root)/Tests/ChurnWireTests/Generated/\(file.name)",
                encoding: .utf8
            )
            #expect(committed == file.contents, "\(file.name) is stale: run `swift run churnwirec`")
        }
    }

    @Test("the current schema is compatible with every release kept in wire/releases/")
    func releasesCompatible() throws {
        let releases = try FileManager.default.contentsOfDirectory(atPath: "\(Self.root)/wire/releases").sorted()
        #expect(!releases.isEmpty)
        let current = try SchemaLoader.load("\(Self.root)/wire")
        for release in releases {
            let old = try SchemaLoader.load("\(Self.root)/wire/releases/\(release)")
            #expect(CompatibilityChecker.check(old: old, new: current).isEmpty, "breaks release \(release)")
        }
    }

    @Test("generation is deterministic and names follow Swift conventions")
    func naming() throws {
        let schema = try checkSchema([
            "package p;\nmessage HTTPThing { u64 default = 1; string product_group = 2; }\nenum E { Z = 0; INVALID_ARGUMENT = 1; OK = 2; }\nservice Admin { rpc GetShardMap(HTTPThing) returns (HTTPThing); }"
        ])
        let first = SwiftGenerator(schema: schema).generateLibrary()
        #expect(first == SwiftGenerator(schema: schema).generateLibrary())
        let text = first[0].contents
        #expect(text.contains("public var `default`: UInt64"))
        #expect(text.contains("public var productGroup: String"))
        #expect(text.contains("public static let invalidArgument = E(rawValue: 1)"))
        #expect(text.contains("public static let ok = E(rawValue: 2)"))
        #expect(text.contains("public enum AdminService"))
        #expect(text.contains("public static let getShardMap = RPCMethod<HTTPThing, HTTPThing>"))
        #expect(text.contains("path") || text.contains("service: name"))
    }
}
