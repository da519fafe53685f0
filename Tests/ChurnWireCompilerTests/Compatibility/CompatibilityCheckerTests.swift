import ChurnTesting
import ChurnWireCompiler
import Foundation
import Testing

@Suite("compat OLD NEW refuses breaking changes", .onComputeThreads)
struct CompatibilityCheckerTests {
    static let old = """
        package p;
        message A { reserved 9; u64 id = 1; string name = 2; repeated f64 xs = 3; B b = 4; E e = 5; }
        message B { u32 n = 1; }
        enum E { Z = 0; ONE = 1; TWO = 2; }
        service S { rpc Get(A) returns (B); rpc All(stream A) returns (stream B); }
        """

    private func violations(_ new: String) throws -> [String] {
        CompatibilityChecker.check(old: try checkSchema([Self.old]), new: try checkSchema([new])).map(\.message)
    }

    @Test("additions and renames are compatible")
    func compatible() throws {
        let new = """
            package p;
            message A { reserved 9; u64 ident = 1; string name = 2; repeated f64 xs = 3; B b = 4; E e = 5; optional u32 extra = 6; }
            message B { u32 n = 1; string more = 2; }
            message C { }
            enum E { Z = 0; ONE = 1; TWO = 2; THREE = 3; }
            service S { rpc Get(A) returns (B); rpc All(stream A) returns (stream B); rpc New(C) returns (C); }
            service T { rpc X(C) returns (C); }
            """
        #expect(try self.violations(new).isEmpty)
        #expect(try self.violations(Self.old).isEmpty)
    }

    @Test(
        "each kind of breaking change is named",
        arguments: [
            ("message A { reserved 9; u32 id = 1;", "field 1 ('id') of 'A' changed type from u64 to u32"),
            ("message A { reserved 9; B id = 1;", "field 1 ('id') of 'A' changed type from u64 to message p.B"),
            ("message A { reserved 9; repeated u64 id = 1;", "field 1 ('id') of 'A' changed from singular to repeated"),
            (
                "message A { u64 id = 1; string name = 2; repeated f64 xs = 3; B b = 4; E e = 5; u32 again = 9; }\n//",
                "field 'again' reuses number 9, which 'A' reserved"
            ),
        ]
    )
    func breaking(change: String, expected: String) throws {
        var new = Self.old
        if change.hasSuffix("\n//") {
            new = new.replacingFirst(
                "message A { reserved 9; u64 id = 1; string name = 2; repeated f64 xs = 3; B b = 4; E e = 5; }",
                with: String(change.dropLast(3))
            )
        } else {
            new = new.replacingFirst("message A { reserved 9; u64 id = 1;", with: change)
        }
        let found = try self.violations(new)
        #expect(found.contains(expected), "got \(found)")
    }

    @Test("a removed field must be reserved")
    func removedField() throws {
        let removed = Self.old.replacingFirst("string name = 2; ", with: "")
        #expect(try self.violations(removed) == ["field 2 ('name') was removed from 'A' without 'reserved 2;'"])
        let reserved = Self.old.replacingFirst("string name = 2; ", with: "reserved 2; ")
        #expect(try self.violations(reserved).isEmpty)
    }

    @Test("enum values may not be renumbered or removed unreserved")
    func enums() throws {
        #expect(
            try self.violations(Self.old.replacingFirst("TWO = 2;", with: "TWO = 3;"))
                == ["enum value 'TWO' of 'E' changed number from 2 to 3"]
        )
        #expect(
            try self.violations(Self.old.replacingFirst("TWO = 2;", with: ""))
                == ["enum value 2 ('TWO') was removed from 'E' without 'reserved 2;'"]
        )
        #expect(try self.violations(Self.old.replacingFirst("TWO = 2;", with: "reserved 2;")).isEmpty)
    }

    @Test("RPCs may not be removed, retyped or change streaming")
    func rpcs() throws {
        #expect(
            try self.violations(Self.old.replacingFirst("rpc Get(A) returns (B); ", with: ""))
                == ["RPC 'Get' was removed from service 'p.S'"]
        )
        #expect(
            try self.violations(Self.old.replacingFirst("rpc Get(A) returns (B);", with: "rpc Get(B) returns (B);"))
                == ["RPC 'Get' changed its types from (p.A) returns (p.B) to (p.B) returns (p.B)"]
        )
        #expect(
            try self.violations(Self.old.replacingFirst("rpc All(stream A)", with: "rpc All(A)"))
                == ["RPC 'All' changed which side streams"]
        )
    }

    @Test("messages and services may not be removed")
    func removals() throws {
        let noB = """
            package p;
            message A { reserved 9, 4; u64 id = 1; string name = 2; repeated f64 xs = 3; E e = 5; }
            enum E { Z = 0; ONE = 1; TWO = 2; }
            """
        let found = try self.violations(noB)
        #expect(found.contains { $0.hasPrefix("message 'B' was removed") })
        #expect(found.contains("service 'p.S' was removed"))
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = self.range(of: target) else {
            Issue.record("'\(target)' not in the schema")
            return self
        }
        return self.replacingCharacters(in: range, with: replacement)
    }
}
