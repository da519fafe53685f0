import CLZ4
public import NIOCore

/// LZ4 block compression (liblz4) for frame payloads.
///
/// `LZ4_decompress_safe` never reads or writes out of bounds but does not detect every corruption,
/// so ``decompress(_:decompressedSize:into:)`` also requires the output length to equal the
/// declared one. Integrity in transit is TLS's job.
public enum LZ4Block {
    /// The largest input liblz4 compresses in one block.
    public static let maxInputSize = Int(LZ4_MAX_INPUT_SIZE)

    /// Appends the LZ4 block for `input` to `buffer` if it is smaller than the input.
    ///
    /// - Returns: the compressed byte count, or nil (with `buffer` unchanged) when compression would
    ///   not save space or the input is too large for one block.
    public static func compress(_ input: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) -> Int? {
        guard input.count > 0, input.count <= maxInputSize else { return nil }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        var written = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { output in
            let result = LZ4_compress_default(
                input.baseAddress?.assumingMemoryBound(to: CChar.self),
                output.baseAddress?.assumingMemoryBound(to: CChar.self),
                Int32(input.count),
                Int32(min(output.count, Int(Int32.max)))
            )
            // Keep the bytes only when they save space: the caller then sends them uncompressed.
            guard result > 0, Int(result) < input.count else { return 0 }
            written = Int(result)
            return written
        }
        return written > 0 ? written : nil
    }

    /// Appends the decompression of the LZ4 block `input` to `buffer`.
    ///
    /// - Parameters:
    ///   - decompressedSize: the size the frame declared, already checked against the limits.
    /// - Throws: ``WireError/Code/malformedCompression`` when `input` is not a block of exactly
    ///   that size.
    public static func decompress(
        _ input: UnsafeRawBufferPointer,
        decompressedSize: Int,
        into buffer: inout ByteBuffer
    ) throws(WireError) {
        guard decompressedSize > 0 else {
            throw WireError(.malformedCompression, "a compressed frame declares an empty payload", offset: 0)
        }
        guard input.count > 0, input.count <= Int(Int32.max) else {
            throw WireError(.malformedCompression, "the compressed block is empty", offset: 0)
        }
        var produced: Int32 = -1
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: decompressedSize) { output in
            produced = LZ4_decompress_safe(
                input.baseAddress?.assumingMemoryBound(to: CChar.self),
                output.baseAddress?.assumingMemoryBound(to: CChar.self),
                Int32(input.count),
                Int32(decompressedSize)
            )
            return produced == Int32(decompressedSize) ? decompressedSize : 0
        }
        guard produced == Int32(decompressedSize) else {
            throw WireError(
                .malformedCompression,
                produced < 0
                    ? "the LZ4 block is malformed"
                    : "the LZ4 block holds \(produced) bytes, the frame declared \(decompressedSize)",
                offset: 0
            )
        }
    }
}
