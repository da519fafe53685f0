/// The errors readers throw, built out of line: the string work of a message a person can act on
/// stays off the decoding fast path, which keeps the inlined field reads small.
extension WireReader {
    @usableFromInline
    @inline(never)
    func truncated(_ what: StaticString) -> WireError {
        WireError(.truncated, "input ends inside \(what)", offset: self.offset)
    }

    @usableFromInline
    @inline(never)
    func malformedVarint() -> WireError {
        WireError(.malformedVarint, "varint does not fit in 64 bits", offset: self.offset)
    }

    @usableFromInline
    @inline(never)
    func lengthPastEnd(_ length: UInt64, at start: Int) -> WireError {
        WireError(.truncated, "length prefix says \(length) bytes, \(self.end - self.offset) remain", offset: start)
    }

    @usableFromInline
    @inline(never)
    static func invalidTag(_ raw: UInt64, at start: Int) -> WireError {
        if raw > UInt64(UInt32.max) {
            return WireError(.invalidFieldNumber, "tag does not fit in 32 bits", offset: start)
        }
        if raw >> 3 == 0 {
            return WireError(.invalidFieldNumber, "field number 0 is not allowed", offset: start)
        }
        return WireError(
            .invalidWireType,
            "field \(raw >> 3) has wire type \(raw & 7), which is not used",
            offset: start
        )
    }

    @usableFromInline
    @inline(never)
    func wrongWireType(_ tag: WireTag, expected: WireType) -> WireError {
        WireError(
            .wrongWireType,
            "field \(tag.fieldNumber) has wire type \(tag.wireType.rawValue), expected \(expected.rawValue)",
            offset: self.offset
        )
    }

    @usableFromInline
    @inline(never)
    func tooManyElements(field: UInt32) -> WireError {
        WireError(
            .tooManyElements,
            "field \(field) holds more than \(self.limits.maxRepeatedCount) elements",
            offset: self.offset
        )
    }

    @usableFromInline
    @inline(never)
    static func outOfRange(_ field: UInt32, _ what: StaticString, at offset: Int) -> WireError {
        WireError(.valueOutOfRange, "field \(field) \(what)", offset: offset)
    }

    @usableFromInline
    @inline(never)
    func nestingTooDeep() -> WireError {
        WireError(
            .nestingTooDeep,
            "messages nest deeper than \(self.limits.maxNestingDepth) levels",
            offset: self.offset
        )
    }

    @usableFromInline
    @inline(never)
    static func invalidUTF8(field: UInt32, at offset: Int) -> WireError {
        WireError(.invalidUTF8, "field \(field) is not valid UTF-8", offset: offset)
    }

    @usableFromInline
    @inline(never)
    static func malformedPacked(field: UInt32, length: Int, elementSize: Int, at offset: Int) -> WireError {
        WireError(
            .malformedPackedArray,
            "field \(field) has \(length) packed bytes, not a multiple of \(elementSize)",
            offset: offset
        )
    }
}
