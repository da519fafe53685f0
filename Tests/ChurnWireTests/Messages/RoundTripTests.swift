import ChurnTesting
import ChurnWire
import NIOCore
import Testing

@Suite("Every generated message round-trips", .onComputeThreads)
struct RoundTripTests {
    @Test("random values of every message decode to themselves and re-encode to the same bytes")
    func randomRoundTrips() throws {
        for type in allSampleableMessages + allConformanceMessages {
            try Self.roundTrip(type, seed: 0xC0FF_EE00 &+ UInt64(type.wireName.utf8.count), count: 300)
        }
    }

    private static func roundTrip<M: RandomSampleable>(_: M.Type, seed: UInt64, count: Int) throws {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<count {
            let message = M.random(using: &rng, depth: 0)
            let bytes = message.encodedBytes()
            #expect(bytes.count == message.encodedSize, "\(M.wireName): encodedSize differs from the bytes written")
            let decoded = try M(decoding: bytes)
            #expect(decoded == message, "\(M.wireName) did not round-trip: \(message.jsonString)")
            #expect(decoded.encodedBytes() == bytes, "\(M.wireName) re-encoded to other bytes")

            // Through a ByteBuffer with bytes before it, as a frame payload would be.
            var buffer = ByteBuffer(bytes: [0xAA, 0xBB])
            message.encode(into: &buffer)
            buffer.moveReaderIndex(forwardBy: 2)
            #expect(try M(decoding: buffer) == message)
        }
    }

    @Test("the conformance schema covers every scalar type in every label")
    func conformanceCoverage() throws {
        var rng = SplitMix64(seed: 5)
        var sawEveryOptional = false
        for _ in 0..<200 {
            let value = AllTypes.random(using: &rng, depth: 0)
            let decoded = try AllTypes(decoding: value.encodedBytes())
            #expect(decoded == value)
            sawEveryOptional = sawEveryOptional || (value.maybeFixed32 != nil && value.maybeBytes != nil)
        }
        #expect(sawEveryOptional)
        // The five-byte tag of field 536870911.
        let far = AllTypes(farAway: 1).encodedBytes()
        #expect(far == [0x6A, 0x00] + [0xF8, 0xFF, 0xFF, 0xFF, 0x0F, 0x01])  // an_inner is always written
        // fixed32 and fixed64 take four and eight bytes whatever their value.
        #expect(AllTypes(aFixed32: 1).encodedBytes() == [0x55, 1, 0, 0, 0] + [0x6A, 0x00])
        #expect(AllTypes(aFixed64: UInt64.max).encodedBytes().count == 9 + 2)
        #expect(AllTypes(manyFixed64: [1, 2]).encodedBytes().prefix(2) == [0x6A, 0x00])
        #expect(try AllTypes(decoding: AllTypes(manyFixed64: [1, 2]).encodedBytes()).manyFixed64 == [1, 2])
    }

    @Test("every message type is covered by the samplers and the schema index")
    func coverage() {
        #expect(allSampleableMessages.count == WireSchema.messageTypes.count)
        let sampled = Set(allSampleableMessages.map { type in type.wireName })
        let indexed = Set(WireSchema.messageTypes.map { type in type.wireName })
        #expect(sampled == indexed)
        #expect(WireSchema.messageTypes.count >= 30)
    }

    @Test("default values encode to nothing and absent fields decode to defaults")
    func defaults() throws {
        #expect(ScoreRequest().encodedBytes().isEmpty)
        #expect(try ScoreRequest(decoding: [UInt8]()) == ScoreRequest())
        // A singular message field is always written, even when empty.
        #expect(ScoreResponse().encodedBytes() == [0x3A, 0x00])
    }

    @Test("NaN payloads and negative zero survive bit for bit")
    func floatBitPatterns() throws {
        let patterns: [UInt64] = [
            0x7FF8_0000_0000_0001, 0xFFF0_0000_0000_0ABC, 0x8000_0000_0000_0000, 0x7FF0_0000_0000_0000,
        ]
        let request = ScoreRequest(features: patterns.map(Double.init(bitPattern:)))
        let decoded = try ScoreRequest(decoding: request.encodedBytes())
        #expect(decoded.features.map(\.bitPattern) == patterns)
        let response = ScoreResponse(probability: -0.0)
        #expect(try ScoreResponse(decoding: response.encodedBytes()).probability.bitPattern == (-0.0).bitPattern)
    }

    @Test("an enum number the schema does not name survives a round trip")
    func openEnums() throws {
        let response = ScoreResponse(riskBand: RiskBand(rawValue: 42))
        let decoded = try ScoreResponse(decoding: response.encodedBytes())
        #expect(decoded.riskBand.rawValue == 42)
        #expect(decoded.riskBand.schemaName == nil)
        #expect(decoded.riskBand.description == "42")
        #expect(RiskBand.critical.description == "CRITICAL")
    }

    @Test("repeated fields may arrive interleaved and unpacked, as the specification allows")
    func unpackedAndSplitRepeated() throws {
        // features (field 4, f64) as two unpacked fixed64 values around a packed run of one.
        var bytes: [UInt8] = [0x21] + Self.le(1.5) + [0x22, 0x08] + Self.le(2.5) + [0x21] + Self.le(3.5)
        var decoded = try ScoreRequest(decoding: bytes)
        #expect(decoded.features == [1.5, 2.5, 3.5])
        // crms (field 3 of ScoreBatchRequest, u64 varints) unpacked then packed.
        bytes = [0x18, 0x05, 0x1A, 0x03, 0x01, 0x80, 0x01]
        let batch = try ScoreBatchRequest(decoding: bytes)
        #expect(batch.crms == [5, 1, 128])
        // A singular field that appears twice: the last one wins.
        decoded = try ScoreRequest(decoding: [0x08, 0x01, 0x08, 0x02])
        #expect(decoded.crm == 2)
    }

    static func le(_ value: Double) -> [UInt8] {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
    }
}
