import ArgumentParser
import ChurnWireCompiler
import Foundation

@main
struct Churnwirec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churnwirec",
        abstract: "The ChurnGuard wire schema compiler.",
        discussion: """
            Reads the schema in wire/*.wire and generates the Swift types and codecs of the ChurnWire \
            module, plus random samplers for its tests. Run it from the repository root after changing \
            the schema, and commit what it writes. The byte format is specified in wire/README.md.

            Examples:
              churnwirec                    regenerate the committed code
              churnwirec --check            exit 1 if the committed code is stale (CI)
              churnwirec compat wire/releases/v1 wire
                                            refuse breaking changes since release v1
            """,
        subcommands: [Generate.self, Compat.self],
        defaultSubcommand: Generate.self
    )
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate Swift from the schema (the default command)."
    )

    @Option(help: "The folder holding the *.wire files.")
    var wire = "wire"

    @Option(help: "Where the ChurnWire module's generated files go.")
    var output = "Sources/ChurnWire/Generated"

    @Option(help: "Where the test target's generated samplers and conformance types go.")
    var testOutput = "Tests/ChurnWireTests/Generated"

    @Option(help: "The folder of the conformance schema (every type in every label, for tests); '' for none.")
    var conformance = "wire/conformance"

    @Flag(help: "Write nothing; exit 1 if any generated file differs from what is committed.")
    var check = false

    func run() throws {
        let schema: Schema
        do {
            schema = try SchemaLoader.load(self.wire)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(1)
        }
        let generator = SwiftGenerator(schema: schema)
        var outputs: [(folder: String, files: [SwiftGenerator.File])] = [
            (self.output, generator.generateLibrary()),
            (self.testOutput, [generator.generateTestSamplers()]),
        ]
        if !self.conformance.isEmpty {
            let conformance: Schema
            do {
                conformance = try SchemaLoader.load(self.conformance)
            } catch {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            }
            let tests = SwiftGenerator(schema: conformance, placement: .importing(module: "ChurnWire"))
            outputs[1].files += tests.generateLibrary()
            outputs[1].files.append(
                tests.generateTestSamplers(fileName: "Conformance+Random.swift", listName: "allConformanceMessages")
            )
        }
        var stale: [String] = []
        for (folder, files) in outputs {
            let existing = Set(
                ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".swift") }
            )
            for file in files {
                let path = "\(folder)/\(file.name)"
                let current = FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
                if current != file.contents {
                    stale.append(path)
                    if !self.check {
                        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                        try Data(file.contents.utf8).write(to: URL(fileURLWithPath: path))
                    }
                }
            }
            for leftover in existing.subtracting(files.map(\.name)).sorted() {
                stale.append("\(folder)/\(leftover) (no longer generated)")
                if !self.check { try FileManager.default.removeItem(atPath: "\(folder)/\(leftover)") }
            }
        }
        if self.check {
            guard stale.isEmpty else {
                let list = stale.map { "  \($0)" }.joined(separator: "\n")
                FileHandle.standardError.write(
                    Data("error: generated code is stale; run `swift run churnwirec` and commit:\n\(list)\n".utf8)
                )
                throw ExitCode(1)
            }
            print(
                "churnwirec: generated code is up to date (\(schema.messages.count) messages, \(schema.enums.count) enums, \(schema.services.count) services)"
            )
        } else {
            print(
                "churnwirec: \(stale.isEmpty ? "nothing changed" : "wrote \(stale.count) file(s)") from \(schema.files.count) schema file(s)"
            )
            for path in stale { print("  \(path)") }
        }
    }
}

struct Compat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Refuse breaking changes between two versions of the schema.",
        discussion: """
            OLD and NEW are folders of *.wire files (or single files). Exits 1 and lists every \
            reused, retyped or un-reserved removed field number, removed or changed RPC, and \
            renumbered or un-reserved removed enum value.
            """
    )

    @Argument(help: "The released schema (e.g. wire/releases/v1).")
    var old: String

    @Argument(help: "The schema being changed (e.g. wire).")
    var new: String

    func run() throws {
        let oldSchema: Schema
        let newSchema: Schema
        do {
            oldSchema = try SchemaLoader.load(self.old)
            newSchema = try SchemaLoader.load(self.new)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(1)
        }
        let violations = CompatibilityChecker.check(old: oldSchema, new: newSchema)
        guard violations.isEmpty else {
            FileHandle.standardError.write(Data((violations.map(\.description).joined(separator: "\n") + "\n").utf8))
            FileHandle.standardError.write(
                Data("churnwirec: \(violations.count) breaking change(s) from \(self.old) to \(self.new)\n".utf8)
            )
            throw ExitCode(1)
        }
        print("churnwirec: \(self.new) is compatible with \(self.old)")
    }
}
