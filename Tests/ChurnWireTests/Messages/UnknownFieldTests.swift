import ChurnTesting
import ChurnWire
import Testing

@Suite("A v1 reader skips what a v2 writer added", .onComputeThreads)
struct UnknownFieldTests {
    /// Fields a v2 schema might add to any message: one of each wire type, with numbers v1 does
    /// not use, including a multi-byte tag and a nested message v1 has never seen.
    static let v2Fields: [UInt8] =
        [0xC8, 0x06, 0xAC, 0x02]  // field 105, varint 300
        + [0xD1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8]  // field 106, fixed64
        + [0xDA, 0x06, 0x03, 0x61, 0x62, 0x63]  // field 107, length-delimited "abc"
        + [0xE5, 0x06, 9, 9, 9, 9]  // field 108, fixed32
        + [0xEA, 0x06, 0x04, 0x08, 0x01, 0x10, 0x02]  // field 109, a nested message {1: 1, 2: 2}
        + [0x80, 0x80, 0x80, 0x80, 0x0F, 0x01]  // field 2^28 - ish (tag fills 5 bytes), varint 1

    @Test("unknown fields before, between and after known ones are skipped in every message")
    func skipsUnknownFields() throws {
        for type in allSampleableMessages + allConformanceMessages { try Self.check(type) }
    }

    private static func check<M: RandomSampleable>(_: M.Type) throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<50 {
            let message = M.random(using: &rng, depth: 0)
            let v1 = message.encodedBytes()
            let v2 = Self.v2Fields + v1 + Self.v2Fields
            #expect(try M(decoding: v2) == message, "\(M.wireName) did not skip v2 fields")
        }
    }

    @Test("a v2 ScoreResponse with new fields inside a nested driver reads as its v1 part")
    func nestedUnknownFields() throws {
        let response = Fixtures.scoreResponse()
        var driverBytes = response.drivers[0].encodedBytes()
        driverBytes += Self.v2Fields
        // Rebuild: the response without drivers, then the v2 driver, then the other drivers.
        var trimmed = response
        trimmed.drivers = []
        var bytes = trimmed.encodedBytes()
        bytes += [0x32, UInt8(driverBytes.count)] + driverBytes
        for driver in response.drivers.dropFirst() {
            let encoded = driver.encodedBytes()
            bytes += [0x32, UInt8(encoded.count)] + encoded
        }
        let decoded = try ScoreResponse(decoding: bytes)
        #expect(decoded.drivers == response.drivers)
        #expect(decoded.model == response.model)
    }
}
