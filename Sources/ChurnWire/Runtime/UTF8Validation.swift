/// Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF),
/// with a word-at-a-time path for ASCII, the common case of names and codes.
///
/// The standard library's `String(validating:as:)` costs about five times as much as
/// `String(decoding:as:)` on short strings (`bench/README.md`); validating here and then
/// decoding keeps invalid input refused at the cost of the fast path.
public enum UTF8Validation {
    /// Whether `bytes` are well-formed UTF-8.
    @inlinable
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        // Eight bytes at a time while they are all ASCII.
        while index + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { break }
            index += 8
        }
        while index < count {
            let lead = base.load(fromByteOffset: index, as: UInt8.self)
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                low = 0xA0  // no overlong three-byte forms
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                high = 0x9F  // no surrogates
            case 0xF0:
                length = 4
                low = 0x90  // no overlong four-byte forms
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                high = 0x8F  // nothing above U+10FFFF
            default: return false
            }
            guard index + length <= count else { return false }
            let second = base.load(fromByteOffset: index + 1, as: UInt8.self)
            guard second >= low && second <= high else { return false }
            for offset in 2..<length {
                let continuation = base.load(fromByteOffset: index + offset, as: UInt8.self)
                guard continuation & 0xC0 == 0x80 else { return false }
            }
            index += length
        }
        return true
    }
}
