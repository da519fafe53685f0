import ChurnTesting
import ChurnWire
import Testing

@Suite("Malformed messages give typed errors, never a crash or an unbounded allocation", .onComputeThreads)
struct MalformedInputTests {
    private static func code<M: WireMessage>(
        _ type: M.Type,
        _ bytes: [UInt8],
        limits: WireLimits = .defaults
    ) -> WireError.Code? {
        do {
            _ = try M(decoding: bytes, limits: limits)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("every strict prefix of a valid encoding that cuts a field is refused as truncated")
    func truncated() {
        let bytes = Fixtures.scoreResponse().encodedBytes()
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            switch Self.code(ScoreResponse.self, prefix) {
            case nil: continue  // cut at a field boundary: a valid shorter message
            case let code?: #expect(code == .truncated, "prefix of \(length) bytes gave \(code)")
            }
        }
        #expect(Self.code(ScoreRequest.self, [0x22, 0xFF, 0x01, 0x00]) == .truncated)  // length past the end
        #expect(Self.code(ScoreRequest.self, [0x08]) == .truncated)
        #expect(Self.code(ScoreRequest.self, [0x08, 0x80]) == .truncated)
    }

    @Test("varints of more than ten bytes or 64 bits are refused")
    func corruptVarint() {
        #expect(Self.code(ScoreRequest.self, [0x08] + Array(repeating: 0xFF, count: 10) + [0x01]) == .malformedVarint)
        #expect(Self.code(ScoreRequest.self, [0x08] + Array(repeating: 0xFF, count: 9) + [0x02]) == .malformedVarint)
        // u64.max is exactly ten bytes and fine.
        #expect(Self.code(ScoreRequest.self, [0x08] + Array(repeating: 0xFF, count: 9) + [0x01]) == nil)
        #expect(Self.code(ScoreRequest.self, [0x28] + [0x80, 0x80, 0x80, 0x80, 0x10]) == .valueOutOfRange)  // u32 + 1
        #expect(Self.code(ScoreRequest.self, [0x30, 0x02]) == .valueOutOfRange)  // bool 2
    }

    @Test(
        "a known field with the wrong wire type is refused",
        arguments: [
            [0x09, 0, 0, 0, 0, 0, 0, 0, 0] as [UInt8],  // crm as fixed64
            [0x10, 0x01],  // product_group as varint
            [0x1D, 0, 0, 0, 0],  // feature_schema_hash as fixed32
            [0x2A, 0x00],  // top_drivers as length-delimited
            [0x25, 0, 0, 0, 0],  // features as fixed32
        ]
    )
    func wrongWireType(bytes: [UInt8]) {
        #expect(Self.code(ScoreRequest.self, bytes) == .wrongWireType)
    }

    @Test("tags with wire types 3, 4, 6, 7 or field number 0 are refused")
    func invalidTags() {
        for wireType: UInt8 in [3, 4, 6, 7] {
            #expect(Self.code(ScoreRequest.self, [0x08 | wireType]) == .invalidWireType)
        }
        #expect(Self.code(ScoreRequest.self, [0x00, 0x00]) == .invalidFieldNumber)
        #expect(Self.code(ScoreRequest.self, [0x80, 0x80, 0x80, 0x80, 0x20, 0x00]) == .invalidFieldNumber)
    }

    @Test("invalid UTF-8 in a string is refused")
    func invalidUTF8() {
        #expect(Self.code(ScoreRequest.self, [0x12, 0x02, 0xC3, 0x28]) == .invalidUTF8)
        #expect(Self.code(ScoreRequest.self, [0x12, 0x01, 0xFF]) == .invalidUTF8)
    }

    @Test("a packed f64 array whose length is not a multiple of 8 is refused")
    func malformedPacked() {
        #expect(Self.code(ScoreRequest.self, [0x22, 0x07, 0, 0, 0, 0, 0, 0, 0]) == .malformedPackedArray)
        // A packed varint array whose last varint runs past its length.
        #expect(Self.code(ScoreBatchRequest.self, [0x1A, 0x02, 0x01, 0x80, 0x01]) == .truncated)
    }

    @Test("repeated counts above the limit are refused before the array is allocated")
    func tooManyElements() {
        let limits = WireLimits.defaults { $0.maxRepeatedCount = 3 }
        let four = ScoreRequest(features: [1, 2, 3, 4]).encodedBytes()
        #expect(Self.code(ScoreRequest.self, four, limits: limits) == .tooManyElements)
        let three = ScoreRequest(features: [1, 2, 3]).encodedBytes()
        #expect(Self.code(ScoreRequest.self, three, limits: limits) == nil)
        var response = Fixtures.scoreResponse()
        #expect(Self.code(ScoreResponse.self, response.encodedBytes(), limits: limits) == .tooManyElements)
        response.drivers.removeLast(2)
        #expect(Self.code(ScoreResponse.self, response.encodedBytes(), limits: limits) == nil)
        let batch = ScoreBatchRequest(crms: [1, 2, 3, 4]).encodedBytes()
        #expect(Self.code(ScoreBatchRequest.self, batch, limits: limits) == .tooManyElements)
        let strings = ScoreBatchRequest(productGroups: ["a", "b", "c", "d"]).encodedBytes()
        #expect(Self.code(ScoreBatchRequest.self, strings, limits: limits) == .tooManyElements)
    }

    @Test("messages nested deeper than the limit are refused")
    func nestingTooDeep() {
        let bytes = Fixtures.scoreResponse().encodedBytes()
        #expect(Self.code(ScoreResponse.self, bytes, limits: .defaults { $0.maxNestingDepth = 0 }) == .nestingTooDeep)
        #expect(Self.code(ScoreResponse.self, bytes, limits: .defaults { $0.maxNestingDepth = 1 }) == nil)
    }

    @Test("a nested message's length may not run past its parent's end")
    func nestedLengthOverrun() {
        // ScoreResponse.model (field 7) claims 5 bytes but only 2 follow.
        #expect(Self.code(ScoreResponse.self, [0x3A, 0x05, 0x08, 0x01]) == .truncated)
        // A driver whose inner string claims more than the driver holds.
        #expect(Self.code(ScoreResponse.self, [0x32, 0x03, 0x12, 0x05, 0x61]) == .truncated)
    }

    @Test("random bytes into every decoder give a value or a WireError, never a crash")
    func randomBytes() {
        var rng = SplitMix64(seed: 99)
        var outcomes = (decoded: 0, refused: 0)
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 64)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            for type in WireSchema.messageTypes {
                if Self.decodes(type, bytes) { outcomes.decoded += 1 } else { outcomes.refused += 1 }
            }
        }
        #expect(outcomes.refused > 0 && outcomes.decoded > 0)
    }

    private static func decodes<M: WireMessage>(_: M.Type, _ bytes: [UInt8]) -> Bool {
        guard let message = try? M(decoding: bytes) else { return false }
        // Whatever decodes re-encodes canonically and decodes to the same bytes again.
        let canonical = message.encodedBytes()
        let again = try? M(decoding: canonical)
        #expect(again?.encodedBytes() == canonical, "\(M.wireName) is not canonical after decoding")
        return true
    }
}
