/// Writes encoded fields into memory reserved for exactly the message's ``WireMessage/encodedSize``.
///
/// Generated code computes a message's size first, reserves that many bytes in the output
/// `ByteBuffer` once, then writes through this cursor with no further bounds checks or growth.
///
/// - Important: A writer is valid only inside the closure that made it
///   (``WireMessage/encode(into:)``); writing more than the reserved size is a programming error.
public struct WireWriter {
    @usableFromInline var cursor: UnsafeMutableRawPointer
    @usableFromInline let end: UnsafeMutableRawPointer

    @usableFromInline
    init(start: UnsafeMutableRawPointer, capacity: Int) {
        self.cursor = start
        self.end = start + capacity
    }

    /// Bytes written so far relative to `start`.
    @inlinable
    func written(from start: UnsafeMutableRawPointer) -> Int { self.cursor - start }

    /// Writes one byte.
    @inlinable
    public mutating func writeByte(_ byte: UInt8) {
        assert(self.cursor < self.end, "WireWriter overran the size computed for the message")
        self.cursor.storeBytes(of: byte, as: UInt8.self)
        self.cursor += 1
    }

    /// Writes a base-128 varint, least significant group first.
    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            self.writeByte(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        self.writeByte(UInt8(truncatingIfNeeded: value))
    }

    /// Writes a varint of a 32-bit value.
    @inlinable
    public mutating func writeVarint(_ value: UInt32) { self.writeVarint(UInt64(value)) }

    /// Writes eight bytes, little-endian.
    @inlinable
    public mutating func writeFixed64(_ value: UInt64) {
        assert(self.end - self.cursor >= 8, "WireWriter overran the size computed for the message")
        self.cursor.storeBytes(of: value.littleEndian, as: UInt64.self)
        self.cursor += 8
    }

    /// Writes four bytes, little-endian.
    @inlinable
    public mutating func writeFixed32(_ value: UInt32) {
        assert(self.end - self.cursor >= 4, "WireWriter overran the size computed for the message")
        self.cursor.storeBytes(of: value.littleEndian, as: UInt32.self)
        self.cursor += 4
    }

    /// Writes raw bytes.
    @inlinable
    public mutating func writeBytes(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        assert(self.end - self.cursor >= bytes.count, "WireWriter overran the size computed for the message")
        self.cursor.copyMemory(from: base, byteCount: bytes.count)
        self.cursor += bytes.count
    }

    /// Writes a length prefix and a string's UTF-8 bytes.
    @inlinable
    public mutating func writeString(_ value: String) {
        // Native strings, small or not, expose their UTF-8 without a copy; others are bridged once.
        let written: Void? = value.utf8.withContiguousStorageIfAvailable { utf8 in
            self.writeVarint(UInt64(utf8.count))
            self.writeBytes(UnsafeRawBufferPointer(utf8))
        }
        if written == nil {
            var copy = value
            copy.withUTF8 { utf8 in
                self.writeVarint(UInt64(utf8.count))
                self.writeBytes(UnsafeRawBufferPointer(utf8))
            }
        }
    }

    /// Writes a length prefix and raw bytes.
    @inlinable
    public mutating func writeLengthDelimited(_ bytes: [UInt8]) {
        self.writeVarint(UInt64(bytes.count))
        bytes.withUnsafeBytes { self.writeBytes($0) }
    }

    /// Writes a length prefix and the f64 values as packed little-endian bytes.
    @inlinable
    public mutating func writePacked(_ values: [Double]) { self.writePackedFixed(values) { $0.bitPattern } }

    /// Writes a length prefix and the f32 values as packed little-endian bytes.
    @inlinable
    public mutating func writePacked(_ values: [Float]) { self.writePackedFixed(values) { $0.bitPattern } }

    /// Writes a length prefix and the fixed64 values as packed little-endian bytes.
    @inlinable
    public mutating func writePacked(_ values: [UInt64]) { self.writePackedFixed(values) { $0 } }

    /// Writes a length prefix and the fixed32 values as packed little-endian bytes.
    @inlinable
    public mutating func writePacked(_ values: [UInt32]) { self.writePackedFixed(values) { $0 } }

    /// The shared body of the fixed-width packed writes: on a little-endian host the elements'
    /// memory is their wire form and is copied in one move.
    @inlinable
    mutating func writePackedFixed<Element: BitwiseCopyable, Bits: FixedWidthInteger>(
        _ values: [Element],
        bits: (Element) -> Bits
    ) {
        self.writeVarint(UInt64(values.count * MemoryLayout<Bits>.size))
        #if _endian(little)
        values.withUnsafeBytes { self.writeBytes($0) }
        #else
        for value in values {
            let wire = bits(value).littleEndian
            withUnsafeBytes(of: wire) { self.writeBytes($0) }
        }
        #endif
    }
}

@available(*, unavailable)
extension WireWriter: Sendable {}
