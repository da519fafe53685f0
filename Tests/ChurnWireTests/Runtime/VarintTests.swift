import ChurnWire
import Testing

@Suite("Varints, zigzag and sizes")
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
