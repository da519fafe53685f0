import ChurnModel
import ChurnTesting
import ChurnWire
import Testing

@Suite("Customer-history archive", .onComputeThreads)
struct StoredCustomerArchiveTests {
    static let customers = [
        StoredCustomer(
            crm: 4_000_001,
            productGroup: "fuel_cards",
            contractStartDay: 19_000,
            months: [
                MonthlyActivity(year: 2025, month: 11, netRevenue: 5_535.7, kagCount: 31, discounts: 129.4),
                MonthlyActivity(year: 2025, month: 12, netRevenue: -12.5, complaints: 2, satisfaction: 9.5),
                MonthlyActivity(year: 2026, month: 1, complaints: 1),
            ],
            activeDays: [(20_393, 20_410), (20_425, 20_440), nil]
        ),
        StoredCustomer(crm: 7, productGroup: "hôtel", contractStartDay: nil, months: [], activeDays: []),
    ]

    static func same(_ a: [StoredCustomer], _ b: [StoredCustomer]) -> Bool {
        a.count == b.count
            && zip(a, b).allSatisfy { x, y in
                x.crm == y.crm && x.productGroup == y.productGroup && x.contractStartDay == y.contractStartDay
                    && x.months.count == y.months.count
                    && zip(x.months, y.months).allSatisfy { m, n in
                        m.month == n.month && m.netRevenue == n.netRevenue && m.kagCount == n.kagCount
                            && m.discounts == n.discounts && m.returns == n.returns && m.complaints == n.complaints
                            && (m.satisfaction == n.satisfaction || (m.satisfaction.isNaN && n.satisfaction.isNaN))
                            && m.callCenterContacts == n.callCenterContacts
                    }
                    && zip(x.activeDays, y.activeDays).allSatisfy { $0?.first == $1?.first && $0?.last == $1?.last }
            }
    }

    @Test("customers come back from their archive exactly, unknown values included")
    func roundTrip() throws {
        let bytes = StoredCustomer.archive(Self.customers)
        #expect(Array(bytes.prefix(4)) == Array("CGCH".utf8))
        #expect(Self.same(try StoredCustomer.unarchive(bytes), Self.customers))
        #expect(try StoredCustomer.unarchive(StoredCustomer.archive([])).isEmpty)
    }

    @Test("every truncation, every changed byte and another format are refused, never trusted")
    func malformed() throws {
        let bytes = StoredCustomer.archive(Self.customers)
        for length in 0..<bytes.count {
            #expect(throws: ModelError.self, "cut to \(length) bytes") {
                try StoredCustomer.unarchive(Array(bytes.prefix(length)))
            }
        }
        for index in bytes.indices {
            var damaged = bytes
            damaged[index] ^= 0x20
            #expect(throws: ModelError.self, "byte \(index) changed") { try StoredCustomer.unarchive(damaged) }
        }
        #expect(throws: ModelError.self) { try StoredCustomer.unarchive(bytes + [0]) }
        // With a valid checksum, counts that claim more than the bytes hold are refused before
        // anything is allocated for them.
        func sealed(_ body: [UInt8]) -> [UInt8] { Array("CGCH".utf8) + [1] + SHA256.hash(body) + body }
        #expect(throws: ModelError.self) { try StoredCustomer.unarchive(sealed([0xFF, 0xFF, 0xFF, 0xFF])) }
        let oneCustomer: [UInt8] =
            [1, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [0, 0] + [UInt8](repeating: 0, count: 8)
        #expect(throws: ModelError.self) {
            try StoredCustomer.unarchive(sealed(oneCustomer + [0xFF, 0xFF, 0xFF, 0x7F]))
        }
        #expect(try StoredCustomer.unarchive(sealed(oneCustomer + [0, 0, 0, 0])).count == 1)
        #expect(throws: ModelError.self) { try StoredCustomer.unarchive(Array("not an archive at all".utf8)) }
    }

    @Test("a version-1 archive is still read; a month with one of its two days missing is refused")
    func versions() throws {
        func sealed(_ version: UInt8, _ body: [UInt8]) -> [UInt8] {
            Array("CGCH".utf8) + [version] + SHA256.hash(body) + body
        }
        func little(_ value: some FixedWidthInteger) -> [UInt8] {
            withUnsafeBytes(of: value.littleEndian) { Array($0) }
        }
        func customer(days: (Int64, Int64)) -> [UInt8] {
            little(UInt32(1)) + little(UInt64(5)) + little(UInt16(1)) + Array("x".utf8) + little(Int64.min)
                + little(UInt32(1)) + little(Int64(MonthlyActivity.monthIndex(year: 2025, month: 3)))
                + (0..<7).flatMap { _ in little(UInt64(0)) } + little(days.0) + little(days.1)
        }
        let old = try StoredCustomer.unarchive(sealed(1, customer(days: (20_150, 20_160))))
        #expect(old.first?.activeDays.first??.last == 20_160)
        let none = try StoredCustomer.unarchive(sealed(2, customer(days: (Int64.min, Int64.min))))
        #expect(none.first?.activeDays.count == 1)
        #expect(none.first?.activeDays.first! == nil)
        #expect(throws: ModelError.self) {
            try StoredCustomer.unarchive(sealed(2, customer(days: (Int64.min, 20_160))))
        }
    }
}
