import ChurnTesting
import ChurnWireCompiler
import Testing

/// Parses and checks `sources` (one file each).
func checkSchema(_ sources: [String]) throws(SchemaErrors) -> Schema {
    var files: [SchemaFile] = []
    for (index, source) in sources.enumerated() {
        do {
            files.append(try Parser.parse(source, path: "f\(index).wire"))
        } catch {
            throw SchemaErrors([error])
        }
    }
    return try SchemaChecker.check(files)
}

@Suite("Checker: names resolve and the rules hold", .onComputeThreads)
struct SchemaCheckerTests {
    @Test("resolves nested, sibling and cross-file types")
    func resolves() throws {
        let schema = try checkSchema([
            "package p;\nmessage A { B b = 1; A.Inner i = 2; repeated Inner list = 3; E e = 4; message Inner { E e = 1; } }",
            "package p;\nmessage B { repeated B children = 1; }\nenum E { Z = 0; }\nservice S { rpc X(A) returns (B); }",
        ])
        let a = try #require(schema.message(named: "p.A"))
        #expect(
            a.fields.map(\.type) == [
                .message("p.B"), .message("p.A.Inner"), .message("p.A.Inner"), .enumeration("p.E"),
            ]
        )
        #expect(schema.message(named: "p.A.Inner")?.fields.first?.type == .enumeration("p.E"))
        #expect(schema.services.first?.declaration.rpcs.first?.requestType == "p.A")
    }

    @Test(
        "refuses schemas that break a rule, saying where and why",
        arguments: [
            (
                "package p;\nmessage A { u64 a = 1; u32 b = 1; }",
                "f0.wire:2:24: error: field number 1 of 'b' is already used by 'a' at f0.wire:2:13"
            ),
            (
                "package p;\nmessage A { u64 a = 1; u32 a = 2; }",
                "f0.wire:2:24: error: field name 'a' is already used at f0.wire:2:13"
            ),
            (
                "package p;\nmessage A { reserved 2; u64 a = 2; }",
                "f0.wire:2:25: error: field 'a' uses number 2, which message 'A' reserves"
            ),
            (
                "package p;\nmessage A { reserved \"a\"; u64 a = 1; }",
                "f0.wire:2:27: error: field name 'a' is reserved in message 'A'"
            ),
            (
                "package p;\nmessage A { Missing m = 1; }",
                "f0.wire:2:13: error: unknown type 'Missing' for field 'm' (not a scalar type, message or enum)"
            ),
            (
                "package p;\nenum E { A = 1; }",
                "f0.wire:2:10: error: the first value of enum 'E' must be 0 (the default), 'A' is 1"
            ),
            ("package p;\nenum E { A = 0; B = 0; }", "f0.wire:2:17: error: enum value 0 of 'B' is already used by 'A'"),
            (
                "package p;\nmessage A { B b = 1; }\nmessage B { optional A a = 1; }",
                "f0.wire:2:13: error: message 'A' contains itself through field 'b'; make the cycle 'repeated'"
            ),
            (
                "package p;\nmessage A { }\nmessage A { }",
                "f0.wire:3:1: error: 'p.A' is already declared at f0.wire:2:1"
            ),
            (
                "package p;\nenum E { Z = 0; }\nservice S { rpc X(E) returns (E); }",
                "f0.wire:3:13: error: the request of RPC 'X' must be a message, 'E' is an enum"
            ),
            (
                "package p;\nservice S { rpc X(Nope) returns (Nope); }",
                "f0.wire:2:13: error: unknown request type 'Nope' in RPC 'X'"
            ),
        ]
    )
    func refuses(source: String, expected: String) {
        do {
            _ = try checkSchema([source])
            Issue.record("accepted: \(source)")
        } catch {
            #expect(error.diagnostics.first?.description == expected, "all: \(error)")
        }
    }

    @Test("files of different packages are refused")
    func packages() {
        #expect(throws: SchemaErrors.self) { try checkSchema(["package p;", "package q;"]) }
    }
}
