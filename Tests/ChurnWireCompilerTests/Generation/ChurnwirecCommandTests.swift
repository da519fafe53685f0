import ChurnTesting
import Foundation
import Testing

/// Runs the built `churnwirec` the way CI and developers do, in a scratch folder.
@Suite("The churnwirec command", .onComputeThreads)
struct ChurnwirecCommandTests {
    static func run(_ arguments: [String], in directory: URL) async throws -> BuiltExecutable.Outcome {
        try await BuiltExecutable("churnwirec", packageRoot: URL(fileURLWithPath: GeneratedCodeTests.root)).run(
            arguments,
            in: directory
        )
    }

    /// A scratch folder holding `wire/` with one schema file.
    static func scratch(schema: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("churnwirec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("wire"),
            withIntermediateDirectories: true
        )
        try schema.write(to: folder.appendingPathComponent("wire/a.wire"), atomically: true, encoding: .utf8)
        return folder
    }

    static let schema = "package p;\nmessage A { u64 id = 1; string name = 2; }\n"

    @Test("generates, then --check passes; an edited or extra generated file makes --check fail")
    func generateAndCheck() async throws {
        let folder = try Self.scratch(schema: Self.schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        let generated = try await Self.run(
            ["--output", "out", "--test-output", "testout", "--conformance", ""],
            in: folder
        )
        #expect(generated.status == 0, "\(generated.output)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/a.wire.swift").path))
        #expect(
            try await Self.run(
                ["--check", "--output", "out", "--test-output", "testout", "--conformance", ""],
                in: folder
            )
            .status == 0
        )

        let file = folder.appendingPathComponent("out/a.wire.swift")
        try (try String(contentsOf: file, encoding: .utf8) + "// edited\n").write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        let stale = try await Self.run(
            ["--check", "--output", "out", "--test-output", "testout", "--conformance", ""],
            in: folder
        )
        #expect(stale.status == 1)
        #expect(stale.output.contains("generated code is stale"))
        #expect(stale.output.contains("out/a.wire.swift"))

        // Regenerating repairs it and removes files no schema produces any more.
        try "x".write(to: folder.appendingPathComponent("out/Old.swift"), atomically: true, encoding: .utf8)
        #expect(
            try await Self.run(["--output", "out", "--test-output", "testout", "--conformance", ""], in: folder).status
                == 0
        )
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/Old.swift").path))
        #expect(
            try await Self.run(
                ["--check", "--output", "out", "--test-output", "testout", "--conformance", ""],
                in: folder
            )
            .status == 0
        )
    }

    @Test("a bad schema exits 1 with file:line:column")
    func badSchema() async throws {
        let folder = try Self.scratch(schema: "package p;\nmessage A { u64 id = 1 }\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try await Self.run(["--check", "--conformance", ""], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("wire/a.wire:2:24: error: expected ';' after field number 1, found '}'"))
    }

    @Test("compat exits 1 on a breaking change and 0 on a compatible one")
    func compat() async throws {
        let folder = try Self.scratch(schema: Self.schema)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "package p;\nmessage A { u64 id = 1; }\n".write(
            to: folder.appendingPathComponent("broken.wire"),
            atomically: true,
            encoding: .utf8
        )
        try "package p;\nmessage A { u64 id = 1; reserved 2; u32 more = 3; }\n".write(
            to: folder.appendingPathComponent("fine.wire"),
            atomically: true,
            encoding: .utf8
        )
        let broken = try await Self.run(["compat", "wire", "broken.wire"], in: folder)
        #expect(broken.status == 1)
        #expect(broken.output.contains("field 2 ('name') was removed from 'A' without 'reserved 2;'"))
        let fine = try await Self.run(["compat", "wire", "fine.wire"], in: folder)
        #expect(fine.status == 0, "\(fine.output)")
    }
}
