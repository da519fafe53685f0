/// Packed repeated numeric fields. Writers always pack; readers also accept the unpacked form
/// (one tag per element), as the specification requires.
extension WireReader {
    /// Reads packed f64 values (or one unpacked value) and appends them to `array`.
    ///
    /// The element count is known from the byte length, checked against the limit, and the array
    /// grows once; on little-endian hosts the bytes are copied in one move.
    @inlinable
    public mutating func readPacked(_ tag: WireTag, into array: inout [Double]) throws(WireError) {
        if tag.wireType == .fixed64 {
            try self.checkCount(array.count + 1, field: tag.fieldNumber)
            array.append(Double(bitPattern: try self.readFixed64()))
            return
        }
        let count = try self.readPackedFixedCount(tag, elementSize: 8, existing: array.count)
        let start = self.offset
        self.offset += count * 8
        if array.isEmpty {
            array = [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
                self.copyLittleEndian(from: start, count: count, into: UnsafeMutableRawPointer(buffer.baseAddress))
                initialized = count
            }
        } else {
            array.reserveCapacity(array.count + count)
            for index in 0..<count {
                let bits = self.bytes.loadUnaligned(fromByteOffset: start + index * 8, as: UInt64.self)
                array.append(Double(bitPattern: UInt64(littleEndian: bits)))
            }
        }
    }

    /// Reads packed f32 values (or one unpacked value) and appends them to `array`.
    @inlinable
    public mutating func readPacked(_ tag: WireTag, into array: inout [Float]) throws(WireError) {
        if tag.wireType == .fixed32 {
            try self.checkCount(array.count + 1, field: tag.fieldNumber)
            array.append(Float(bitPattern: try self.readFixed32()))
            return
        }
        let count = try self.readPackedFixedCount(tag, elementSize: 4, existing: array.count)
        let start = self.offset
        self.offset += count * 4
        array.reserveCapacity(array.count + count)
        for index in 0..<count {
            let bits = self.bytes.loadUnaligned(fromByteOffset: start + index * 4, as: UInt32.self)
            array.append(Float(bitPattern: UInt32(littleEndian: bits)))
        }
    }

    @inlinable
    func copyLittleEndian(from start: Int, count: Int, into destination: UnsafeMutableRawPointer?) {
        guard count > 0, let destination else { return }
        #if _endian(little)
        destination.copyMemory(from: self.bytes.baseAddress.unsafelyUnwrapped + start, byteCount: count * 8)
        #else
        for index in 0..<count {
            let bits = self.bytes.loadUnaligned(fromByteOffset: start + index * 8, as: UInt64.self)
            destination.storeBytes(of: UInt64(littleEndian: bits), toByteOffset: index * 8, as: UInt64.self)
        }
        #endif
    }

    @inlinable
    mutating func readPackedFixedCount(_ tag: WireTag, elementSize: Int, existing: Int) throws(WireError) -> Int {
        try self.expect(tag, .lengthDelimited)
        let start = self.offset
        let length = try self.readLength()
        guard length % elementSize == 0 else {
            throw WireError(
                .malformedPackedArray,
                "field \(tag.fieldNumber) has \(length) packed bytes, not a multiple of \(elementSize)",
                offset: start
            )
        }
        let count = length / elementSize
        try self.checkCount(existing + count, field: tag.fieldNumber)
        return count
    }

    /// Reads packed varint elements (or one unpacked element), converting each with `convert`,
    /// and appends them to `array`.
    ///
    /// The count is the number of bytes that end a varint (high bit clear), so the array grows once.
    @inlinable
    public mutating func readPackedVarints<Element>(
        _ tag: WireTag,
        into array: inout [Element],
        convert: (UInt64, UInt32, Int) throws(WireError) -> Element
    ) throws(WireError) {
        if tag.wireType == .varint {
            try self.checkCount(array.count + 1, field: tag.fieldNumber)
            let start = self.offset
            array.append(try convert(try self.readVarint(), tag.fieldNumber, start))
            return
        }
        try self.expect(tag, .lengthDelimited)
        let length = try self.readLength()
        let packedEnd = self.offset + length
        var count = 0
        for index in self.offset..<packedEnd where self.load(index) < 0x80 { count += 1 }
        try self.checkCount(array.count + count, field: tag.fieldNumber)
        array.reserveCapacity(array.count + count)
        let outerEnd = self.end
        self.end = packedEnd
        defer { self.end = outerEnd }
        while self.offset < packedEnd {
            let start = self.offset
            array.append(try convert(try self.readVarint(), tag.fieldNumber, start))
        }
    }
}
