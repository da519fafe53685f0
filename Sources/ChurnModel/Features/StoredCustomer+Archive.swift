internal import ChurnWire

extension StoredCustomer {
    /// The first bytes of an archive: `CGCH` and the format version.
    static let archiveMagic: [UInt8] = Array("CGCH".utf8) + [2]
    /// Version 1's, still read: it had no months without activity.
    static let archiveMagicVersion1: [UInt8] = Array("CGCH".utf8) + [1]
    /// Bytes of one customer before its product group and months.
    private static let customerFixedBytes = 8 + 2 + 8 + 4
    /// Bytes of one stored month: its index, seven values and two days.
    private static let monthBytes = 8 + 7 * 8 + 8 + 8
    /// A month's days in the archive when it had no activity (version 2).
    private static let noActiveDay = Int64.min

    /// Customers as one self-checking byte string, for a scorer's cache of the histories it
    /// holds: `CGCH`, version 2, the SHA-256 of the rest, then the count and each customer
    /// (little-endian; a missing contract start, and both days of a month without activity, as
    /// `Int64.min`; satisfaction NaN when unknown).
    public static func archive(_ customers: [StoredCustomer]) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(4 + customers.reduce(0) { $0 + 64 + $1.months.count * Self.monthBytes })
        func put<Value: FixedWidthInteger>(_ value: Value) {
            withUnsafeBytes(of: value.littleEndian) { body.append(contentsOf: $0) }
        }
        put(UInt32(customers.count))
        for customer in customers {
            let group = Array(customer.productGroup.utf8.prefix(Int(UInt16.max)))
            put(customer.crm)
            put(UInt16(group.count))
            body += group
            put(Int64(customer.contractStartDay ?? Int(Int64.min)))
            put(UInt32(customer.months.count))
            for (month, days) in zip(customer.months, customer.activeDays) {
                put(Int64(month.month))
                for value in [
                    month.netRevenue, month.kagCount, month.discounts, month.returns, month.complaints,
                    month.satisfaction, month.callCenterContacts,
                ] {
                    put(value.bitPattern)
                }
                put(days.map { Int64($0.first) } ?? Self.noActiveDay)
                put(days.map { Int64($0.last) } ?? Self.noActiveDay)
            }
        }
        return Self.archiveMagic + SHA256.hash(body) + body
    }

    /// The customers of an archive made by ``archive(_:)``.
    ///
    /// - Throws: ``ModelError/Code/malformedModel`` for bytes that are not a whole, unaltered
    ///   archive: another format or version, a checksum that does not match, a count or length
    ///   that runs past the end. Nothing is allocated beyond what the bytes can hold.
    public static func unarchive(_ bytes: [UInt8]) throws(ModelError) -> [StoredCustomer] {
        let header = Self.archiveMagic.count + 32
        let magic = Array(bytes.prefix(Self.archiveMagic.count))
        guard bytes.count >= header + 4, magic == Self.archiveMagic || magic == Self.archiveMagicVersion1 else {
            throw ModelError(.malformedModel, "not a customer-history archive (or another version of one)")
        }
        let body = Array(bytes[header...])
        guard SHA256.hash(body) == Array(bytes[Self.archiveMagic.count..<header]) else {
            throw ModelError(.malformedModel, "the customer-history archive is damaged: its checksum does not match")
        }
        var reader = ArchiveReader(bytes: body)
        let count = Int(try reader.integer(UInt32.self))
        guard count <= reader.remaining / Self.customerFixedBytes else {
            throw ModelError(.malformedModel, "the archive claims \(count) customers, more than its bytes hold")
        }
        var customers: [StoredCustomer] = []
        customers.reserveCapacity(count)
        for _ in 0..<count {
            let crm = try reader.integer(UInt64.self)
            let groupLength = Int(try reader.integer(UInt16.self))
            let group = String(decoding: try reader.bytes(groupLength), as: UTF8.self)
            let contract = try reader.integer(Int64.self)
            let monthCount = Int(try reader.integer(UInt32.self))
            guard monthCount <= reader.remaining / Self.monthBytes else {
                throw ModelError(
                    .malformedModel,
                    "customer \(crm) claims \(monthCount) months, more than the bytes hold"
                )
            }
            var months: [MonthlyActivity] = []
            var days: [(first: Int, last: Int)?] = []
            months.reserveCapacity(monthCount)
            days.reserveCapacity(monthCount)
            for _ in 0..<monthCount {
                let index = Int(try reader.integer(Int64.self))
                var values: [Double] = []
                for _ in 0..<7 { values.append(Double(bitPattern: try reader.integer(UInt64.self))) }
                var month = MonthlyActivity(
                    year: 0,
                    month: 1,
                    netRevenue: values[0],
                    kagCount: values[1],
                    discounts: values[2],
                    returns: values[3],
                    complaints: values[4],
                    satisfaction: values[5],
                    callCenterContacts: values[6]
                )
                month.month = index
                months.append(month)
                let first = try reader.integer(Int64.self)
                let last = try reader.integer(Int64.self)
                guard (first == Self.noActiveDay) == (last == Self.noActiveDay) else {
                    throw ModelError(.malformedModel, "customer \(crm) has a month with one active day of two")
                }
                days.append(first == Self.noActiveDay ? nil : (Int(first), Int(last)))
            }
            customers.append(
                StoredCustomer(
                    crm: crm,
                    productGroup: group,
                    contractStartDay: contract == Int64.min ? nil : Int(contract),
                    months: months,
                    activeDays: days
                )
            )
        }
        guard reader.remaining == 0 else {
            throw ModelError(.malformedModel, "the archive has \(reader.remaining) bytes after its last customer")
        }
        return customers
    }
}

/// Reads little-endian values from bytes, refusing to read past the end.
private struct ArchiveReader {
    let bytes: [UInt8]
    var offset = 0

    var remaining: Int { self.bytes.count - self.offset }

    mutating func bytes(_ count: Int) throws(ModelError) -> ArraySlice<UInt8> {
        guard count <= self.remaining else {
            throw ModelError(.malformedModel, "the customer-history archive ends early")
        }
        defer { self.offset += count }
        return self.bytes[self.offset..<self.offset + count]
    }

    mutating func integer<Value: FixedWidthInteger>(_: Value.Type) throws(ModelError) -> Value {
        let slice = try self.bytes(MemoryLayout<Value>.size)
        var value = Value.zero
        for (shift, byte) in slice.enumerated() { value |= Value(truncatingIfNeeded: byte) << (shift * 8) }
        return value
    }
}
