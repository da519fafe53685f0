import ChurnTesting
import ChurnWireCompiler
import Testing

@Suite("Parser: the schema language and its error messages", .onComputeThreads)
struct ParserTests {
    @Test("parses every construct of the language")
    func parsesEverything() throws {
        let file = try Parser.parse(
            """
            // The file.
            package churn.test;

            // A thing.
            message Thing {
                reserved 4, 8 to 10, 100 to max;
                reserved "old_name";
                // Its id.
                u64 id = 1;
                optional string label = 2;
                repeated f64 values = 3;
                Inner inner = 5;
                repeated Inner inners = 6;
                Kind kind = 7;
                bytes blob = 11;
                /* a block comment */
                i32 delta = 12;
                message Inner { bool flag = 1; f32 ratio = 2; i64 at = 3; u32 n = 4; }
                enum Kind { NONE = 0; SOME = 0x10; reserved 5; }
            }

            service Things {
                rpc Get(Thing) returns (Thing);
                rpc Stream(stream Thing) returns (stream Thing.Inner);
            }
            """,
            path: "t.wire"
        )
        #expect(file.package == "churn.test")
        let thing = try #require(file.messages.first)
        #expect(thing.doc == ["A thing."])
        #expect(thing.fields.map(\.name) == ["id", "label", "values", "inner", "inners", "kind", "blob", "delta"])
        #expect(thing.fields[0].doc == ["Its id."])
        #expect(thing.fields[1].label == .optional)
        #expect(thing.fields[2].label == .repeated)
        #expect(thing.fields[2].type == .scalar(.f64))
        #expect(thing.fields[3].type == .named("Inner"))
        #expect(thing.reservedNumbers == [4...4, 8...10, 100...536_870_911])
        #expect(thing.reservedNames == ["old_name"])
        #expect(thing.nestedMessages.first?.fields.count == 4)
        #expect(thing.nestedEnums.first?.values.map(\.number) == [0, 16])
        let rpcs = try #require(file.services.first).rpcs
        #expect(rpcs[1].requestStreams && rpcs[1].responseStreams && rpcs[1].responseType == "Thing.Inner")
        #expect(!rpcs[0].requestStreams)
    }

    @Test(
        "bad schemas fail at the right place with what was expected",
        arguments: [
            (
                "message A { u64 a = 1; }",
                "t.wire:1:1: error: expected 'package' at the start of the file, found 'message'"
            ),
            ("package p;\nmessage A { u64 a 1; }", "t.wire:2:19: error: expected '=' after field name 'a', found '1'"),
            (
                "package p;\nmessage A {\n  u64 a = 1\n}",
                "t.wire:4:1: error: expected ';' after field number 1, found '}'"
            ),
            (
                "package p;\nmessage A { u64 a = 0; }",
                "t.wire:2:21: error: field number 0 is out of range (1 to 536870911)"
            ),
            (
                "package p;\nmessage A { u64 a = 536870912; }",
                "t.wire:2:21: error: field number 536870912 is out of range (1 to 536870911)"
            ),
            (
                "package p;\nmessage A { u64 a = 1;",
                "t.wire:2:23: error: expected '}' to close message 'A', found end of file"
            ),
            (
                "package p;\nmessage A { optional repeated u64 a = 1; }",
                "t.wire:2:22: error: a field is either 'optional' or 'repeated', not both"
            ),
            ("package p;\nenum E { A = -1; }", "t.wire:2:14: error: an enum value number must not be negative"),
            (
                "package p;\nmessage message { }",
                "t.wire:2:9: error: 'message' is a keyword and cannot be used as a message name"
            ),
            (
                "package p;\nservice S { rpc X(A) (B); }",
                "t.wire:2:22: error: expected 'returns' after the request of 'X', found '('"
            ),
            (
                "package p;\nfoo",
                "t.wire:2:1: error: expected 'message', 'enum' or 'service' at the top level, found 'foo'"
            ),
            ("package p;\nmessage A { u64 a = 1; } @", "t.wire:2:26: error: unexpected character '@'"),
            ("package p;\n/* open", "t.wire:2:1: error: unterminated block comment"),
            ("package p;\nmessage A { reserved \"x; }", "t.wire:2:22: error: unterminated string"),
            (
                "package p;\nmessage A { reserved 9 to 3; }",
                "t.wire:2:22: error: reserved range 9 to 3 is empty or out of range"
            ),
            (
                "package p;\nmessage A { u64 a = 99999999999999999999; }",
                "t.wire:2:21: error: number 99999999999999999999… is too large"
            ),
        ]
    )
    func errors(source: String, expected: String) {
        do {
            _ = try Parser.parse(source, path: "t.wire")
            Issue.record("parsed without error: \(source)")
        } catch {
            #expect(error.description == expected)
        }
    }
}
