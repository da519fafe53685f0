/// Packed repeated numeric fields. Writers always pack; readers also accept the unpacked form
/// (one tag per element), as the specification requires.
extension WireReader {
    /// Reads packed f64 values (or one unpacked value) and appends them to `array`.
    ///
    /// The element count is known from the byte length, checked against the limit, and the array
    /// grows once; into an empty array on a little-endian host the bytes are copied in one move.
    @inlinable
    public mutating func readPacked(_ tag: WireTag, into array: inout [Double]) throws(WireError) {
        try self.readPackedFixed(tag, into: &array, as: UInt64.self, convert: Double.init(bitPattern:))
    }

    /// Reads packed f32 values (or one unpacked value) and appends them to `array`.
    @inlinable
    public mutating func readPacked(_ tag: WireTag, into array: inout [Float]) throws(WireError) {
        try self.readPackedFixed(tag, into: &array, as: UInt32.self, convert: Float.init(bitPattern:))
    }

    /// Reads packed fixed64 values (or one unpacked value) and appends them to `array`.
    @inlinable
    public mutating func readPacked(_ tag: WireTag, into array: inout [UInt64]) throws(WireError) {
        try self.readPackedFixed(tag, into: &array, as: UInt64.self) { $0 }
    }

    /// Reads packed fixed32 values (or one unpacked value) and appends them to `array`.
    @inlinable
    public mutating func readPacked(_ tag: WireTag, into array: inout [UInt32]) throws(WireError) {
        try self.readPackedFixed(tag, into: &array, as: UInt32.self) { $0 }
    }

    /// The shared body of the fixed-width packed reads: `Bits` is the element's little-endian
    /// integer form on the wire, `convert` makes the element from it.
    @inlinable
    mutating func readPackedFixed<Bits: FixedWidthInteger & BitwiseCopyable, Element: BitwiseCopyable>(
        _ tag: WireTag,
        into array: inout [Element],
        as: Bits.Type,
        convert: (Bits) -> Element
    ) throws(WireError) {
        let size = MemoryLayout<Bits>.size
        if tag.wireType == (size == 8 ? .fixed64 : .fixed32) {
            try self.checkCount(array.count + 1, field: tag.fieldNumber)
            guard self.end - self.offset >= size else { throw self.truncated("a fixed-width value") }
            let bits = self.bytes.loadUnaligned(fromByteOffset: self.offset, as: Bits.self)
            self.offset += size
            array.append(convert(Bits(littleEndian: bits)))
            return
        }
        let count = try self.readPackedFixedCount(tag, elementSize: size, existing: array.count)
        let start = self.offset
        self.offset += count * size
        #if _endian(little)
        if array.isEmpty && MemoryLayout<Element>.size == size {
            // The element's memory is its little-endian wire form: one copy, one allocation.
            array = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 {
                    UnsafeMutableRawPointer(buffer.baseAddress.unsafelyUnwrapped)
                        .copyMemory(from: self.bytes.baseAddress.unsafelyUnwrapped + start, byteCount: count * size)
                }
                initialized = count
            }
            return
        }
        #endif
        array.reserveCapacity(array.count + count)
        for index in 0..<count {
            let bits = self.bytes.loadUnaligned(fromByteOffset: start + index * size, as: Bits.self)
            array.append(convert(Bits(littleEndian: bits)))
        }
    }

    @inlinable
    mutating func readPackedFixedCount(_ tag: WireTag, elementSize: Int, existing: Int) throws(WireError) -> Int {
        try self.expect(tag, .lengthDelimited)
        let start = self.offset
        let length = try self.readLength()
        guard length % elementSize == 0 else {
            throw Self.malformedPacked(field: tag.fieldNumber, length: length, elementSize: elementSize, at: start)
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
