import ChurnTesting
import ChurnWire
import Testing

@Suite("Varints, zigzag and sizes", .onComputeThreads)
struct VarintTests {
    @Test("varint sizes at every 7-bit boundary", arguments: Array(0...9))
    func varintSizes(groups: Int) {
        let low = groups == 0 ? UInt64(0) : UInt64(1) << (7 * groups)
        #expect(WireSize.varint(low) == groups + 1)
        if groups < 9 { #expect(WireSize.varint((UInt64(1) << (7 * (groups + 1))) - 1) == groups + 1) }
        #expect(WireSize.varint(UInt64.max) == 10)
    }

    @Test("zigzag maps small magnitudes to small numbers and inverts exactly")
    func zigzag() {
        #expect(ZigZag.encode(Int64(0)) == 0)
        #expect(ZigZag.encode(Int64(-1)) == 1)
        #expect(ZigZag.encode(Int64(1)) == 2)
        #expect(ZigZag.encode(Int64(-2)) == 3)
        #expect(ZigZag.encode(Int64.min) == UInt64.max)
        #expect(ZigZag.encode(Int32.min) == UInt32.max)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<10_000 {
            let value = Int64(bitPattern: rng.next())
            #expect(ZigZag.decode(ZigZag.encode(value)) == value)
            let small = Int32(truncatingIfNeeded: value)
            #expect(ZigZag.decode(ZigZag.encode(small)) == small)
        }
    }

    @Test("hex text round-trips and refuses non-hex")
    func hex() {
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Hex.decode("00 ab\nFF") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("0g") == nil)
        #expect(Hex.decode("abc") == nil)
    }

    @Test("JSON escapes control characters and renders non-finite floats as strings")
    func json() {
        let reply = ErrorReply(status: .wrongShard, message: "a \"quote\"\n\u{1}", shardGeneration: 9)
        #expect(
            reply.jsonString
                == #"{"status":"WRONG_SHARD","message":"a \"quote\"\n\u0001","shard_generation":"9","field":""}"#
        )
        let request = ScoreRequest(features: [.nan, .infinity, -.infinity, 0.1])
        #expect(request.jsonString.contains(#""features":["NaN","Infinity","-Infinity",0.1]"#))
    }
}

@Suite("Varint decoding paths agree", .onComputeThreads)
struct VarintDecodingTests {
    /// Encodes `value` as a u64 field 1 followed by `padding` bytes, so both the word-at-a-time
    /// path (eight bytes in reach) and the byte-wise path (near the end) are taken.
    @Test("every length from 1 to 10 bytes, near the end of the input and far from it")
    func lengths() throws {
        var rng = SplitMix64(seed: 21)
        for bits in 0...64 {
            for _ in 0..<50 {
                let value: UInt64 = bits == 0 ? 0 : (rng.next() >> (64 - bits)) | (1 << (bits - 1))
                let message = ScoreRequest(crm: value)
                for trailer in [[UInt8](), Array(repeating: 0, count: 12)] {
                    // Trailing bytes are an unknown field 9 (varint 0) repeated: 0x48 0x00.
                    let padded: [UInt8] =
                        message.encodedBytes() + trailer.enumerated().map { $0.offset % 2 == 0 ? 0x48 : 0 }
                    #expect(try ScoreRequest(decoding: padded).crm == value)
                }
            }
        }
    }

    @Test("non-minimal encodings within ten bytes decode; an eleventh byte is refused")
    func nonMinimal() throws {
        // 1 written in 2, 5 and 10 bytes, each followed by padding so the fast path sees them.
        let padding: [UInt8] = Array(repeating: 0x48, count: 1) + [0x00] + [0x48, 0x00, 0x48, 0x00, 0x48, 0x00]
        for length in [2, 5, 8, 10] {
            let varint: [UInt8] = [0x81] + Array(repeating: 0x80, count: length - 2) + [0x00]
            #expect(try ScoreRequest(decoding: [0x08] + varint + padding).crm == 1)
        }
        let eleven: [UInt8] = [0x08] + Array(repeating: 0x80, count: 10) + [0x00] + padding
        #expect(throws: WireError.self) { try ScoreRequest(decoding: eleven) }
    }
}
