/// Typed field reads used by generated decoders: each checks the wire type, then the value's range.
extension WireReader {
    /// Reads a bool (a varint of 0 or 1).
    @inlinable
    public mutating func readBool(_ tag: WireTag) throws(WireError) -> Bool {
        try self.expect(tag, .varint)
        let start = self.offset
        switch try self.readVarint() {
        case 0: return false
        case 1: return true
        default: throw Self.outOfRange(tag.fieldNumber, "is a bool but is not 0 or 1", at: start)
        }
    }

    /// Reads a u64.
    @inlinable
    public mutating func readUInt64(_ tag: WireTag) throws(WireError) -> UInt64 {
        try self.expect(tag, .varint)
        return try self.readVarint()
    }

    /// Reads a u32, refusing a varint above 2^32 - 1.
    @inlinable
    public mutating func readUInt32(_ tag: WireTag) throws(WireError) -> UInt32 {
        try self.expect(tag, .varint)
        return try self.readVarint32(field: tag.fieldNumber)
    }

    @inlinable
    mutating func readVarint32(field: UInt32) throws(WireError) -> UInt32 {
        let start = self.offset
        let value = try self.readVarint()
        guard value <= UInt64(UInt32.max) else { throw Self.outOfRange(field, "does not fit in 32 bits", at: start) }
        return UInt32(truncatingIfNeeded: value)
    }

    /// Reads a zigzag-encoded i64.
    @inlinable
    public mutating func readInt64(_ tag: WireTag) throws(WireError) -> Int64 {
        try self.expect(tag, .varint)
        return ZigZag.decode(try self.readVarint())
    }

    /// Reads a zigzag-encoded i32.
    @inlinable
    public mutating func readInt32(_ tag: WireTag) throws(WireError) -> Int32 {
        try self.expect(tag, .varint)
        return ZigZag.decode(try self.readVarint32(field: tag.fieldNumber))
    }

    /// Reads an f64 (eight bytes, little-endian IEEE 754; every bit pattern, NaN payloads included,
    /// survives).
    @inlinable
    public mutating func readDouble(_ tag: WireTag) throws(WireError) -> Double {
        try self.expect(tag, .fixed64)
        return Double(bitPattern: try self.readFixed64())
    }

    /// Reads an f32.
    @inlinable
    public mutating func readFloat(_ tag: WireTag) throws(WireError) -> Float {
        try self.expect(tag, .fixed32)
        return Float(bitPattern: try self.readFixed32())
    }

    /// Reads a fixed64 (eight bytes, little-endian).
    @inlinable
    public mutating func readFixedUInt64(_ tag: WireTag) throws(WireError) -> UInt64 {
        try self.expect(tag, .fixed64)
        return try self.readFixed64()
    }

    /// Reads a fixed32 (four bytes, little-endian).
    @inlinable
    public mutating func readFixedUInt32(_ tag: WireTag) throws(WireError) -> UInt32 {
        try self.expect(tag, .fixed32)
        return try self.readFixed32()
    }

    /// Reads an enum's number; numbers this schema does not name are kept, not refused.
    @inlinable
    public mutating func readEnum<E: WireEnum>(_ tag: WireTag, as: E.Type) throws(WireError) -> E {
        try self.expect(tag, .varint)
        return E(rawValue: try self.readVarint32(field: tag.fieldNumber))
    }

    /// Reads a UTF-8 string, refusing invalid UTF-8.
    @inlinable
    public mutating func readString(_ tag: WireTag) throws(WireError) -> String {
        try self.expect(tag, .lengthDelimited)
        let length = try self.readLength()
        let start = self.offset
        let slice = UnsafeRawBufferPointer(rebasing: self.bytes[start..<start + length])
        guard UTF8Validation.isValid(slice) else { throw Self.invalidUTF8(field: tag.fieldNumber, at: start) }
        self.offset += length
        // Validated above, so decoding repairs nothing.
        return String(decoding: slice.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
    }

    /// Reads a bytes field.
    @inlinable
    public mutating func readBytes(_ tag: WireTag) throws(WireError) -> [UInt8] {
        try self.expect(tag, .lengthDelimited)
        let length = try self.readLength()
        let start = self.offset
        self.offset += length
        return Array(UnsafeRawBufferPointer(rebasing: self.bytes[start..<start + length]))
    }

    /// Reads a nested message, one level deeper.
    @inlinable
    public mutating func readMessage<M: WireMessage>(_ tag: WireTag, as: M.Type) throws(WireError) -> M {
        try self.expect(tag, .lengthDelimited)
        guard self.depth < self.limits.maxNestingDepth else { throw self.nestingTooDeep() }
        let length = try self.readLength()
        let outerEnd = self.end
        self.end = self.offset + length
        self.depth += 1
        let message = try M(from: &self)
        self.depth -= 1
        self.end = outerEnd
        return message
    }

    /// Appends the next element of a repeated (unpacked) field, allocating the array once at the
    /// field's final count on its first element.
    @inlinable
    public mutating func appendElement<Element>(
        _ tag: WireTag,
        to array: inout [Element],
        read: (inout WireReader, WireTag) throws(WireError) -> Element
    ) throws(WireError) {
        if array.isEmpty {
            // Look past this element's value, then count the field's later occurrences.
            var scan = self
            try scan.skipField(tag)
            let later = try scan.countOccurrences(of: tag.fieldNumber)
            try self.checkCount(later + 1, field: tag.fieldNumber)
            array.reserveCapacity(later + 1)
        } else {
            try self.checkCount(array.count + 1, field: tag.fieldNumber)
        }
        array.append(try read(&self, tag))
    }
}
