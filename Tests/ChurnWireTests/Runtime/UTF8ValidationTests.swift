import ChurnTesting
import ChurnWire
import Testing

@Suite("UTF-8 validation agrees with the standard library's", .onComputeThreads)
struct UTF8ValidationTests {
    private static func valid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { UTF8Validation.isValid($0) }
    }

    @Test("every one- and two-byte sequence, and every three-byte lead with boundary continuations")
    func exhaustiveShort() {
        for first in UInt8.min...UInt8.max {
            #expect(Self.valid([first]) == (String(validating: [first], as: UTF8.self) != nil), "\([first])")
            for second in UInt8.min...UInt8.max {
                let bytes = [first, second]
                #expect(Self.valid(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
            }
            for second: UInt8 in [0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0] {
                for third: UInt8 in [0x7F, 0x80, 0xBF, 0xC0] {
                    for fourth: UInt8 in [0x80, 0xBF, 0xC0] {
                        for bytes in [[first, second, third], [first, second, third, fourth]] {
                            #expect(Self.valid(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
                        }
                    }
                }
            }
        }
    }

    @Test("random byte strings, and ASCII runs around the eight-byte fast path")
    func randomAndLong() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<50_000 {
            let length = Int(rng.next() % 40)
            let asciiBias = rng.next() % 2 == 0
            let bytes = (0..<length).map { _ in
                UInt8(truncatingIfNeeded: asciiBias && rng.next() % 8 != 0 ? rng.next() % 128 : rng.next())
            }
            #expect(Self.valid(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
        for text in [
            "", "fuel-cards", "revenue_chg_3m_!", "Ärger mit 漢字 und 😀 am Ende", String(repeating: "a", count: 17) + "é",
        ] {
            #expect(Self.valid(Array(text.utf8)))
        }
        #expect(!Self.valid(Array("abcdefgh".utf8) + [0xFF]))
    }
}
