import ChurnTesting
import ChurnWire
import Testing

@Suite("The slot hash of a CRM number", .onComputeThreads)
struct SlotTests {
    /// The values `wire/README.md` publishes; computed independently (Python, arbitrary precision).
    @Test(
        "matches the published test values",
        arguments: [
            (UInt64(0), UInt64(0), UInt16(0)),
            (1, 0xb456_bcfc_34c2_cb2c, 2860),
            (42, 0x8108_7960_8e42_59cc, 2508),
            (4711, 0x40db_71c8_7f0d_c16d, 365),
            (4_711_000_815, 0x09b5_7cae_f0b8_a919, 2329),
            (1_000_000_000_000, 0xf618_1ab7_4b12_94dc, 1244),
            (UInt64.max, 0x64b5_720b_4b82_5f21, 3873),
        ]
    )
    func publishedValues(crm: UInt64, hash: UInt64, slot: UInt16) {
        #expect(Slot.fmix64(crm) == hash)
        #expect(Slot(crm: crm).rawValue == slot)
    }

    @Test("spreads sequential CRM numbers evenly over the 4096 slots")
    func uniformity() {
        var counts = [Int](repeating: 0, count: Int(Slot.count))
        let total = 409_600
        for crm in UInt64(1)...UInt64(total) { counts[Int(Slot(crm: crm).rawValue)] += 1 }
        // 100 expected per slot; a chi-square over 4095 degrees of freedom stays near 4095.
        let chiSquare = counts.reduce(0.0) { $0 + pow2(Double($1) - 100) / 100 }
        #expect(chiSquare < 4095 * 1.15, "chi-square \(chiSquare)")
        #expect(counts.min()! > 50 && counts.max()! < 150)
    }

    private func pow2(_ x: Double) -> Double { x * x }
}
