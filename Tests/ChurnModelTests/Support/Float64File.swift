import Foundation

/// Reads a fixture of little-endian float64 values, as the fixture scripts write them with numpy.
func readFloat64s(_ url: URL) throws -> [Double] {
    let data = try Data(contentsOf: url)
    return data.withUnsafeBytes { bytes in
        (0..<data.count / 8).map {
            Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))
        }
    }
}

/// Splits a flat list into rows of `width` values.
func rows(of values: [Double], width: Int) -> [[Double]] {
    stride(from: 0, to: values.count, by: width).map { Array(values[$0..<$0 + width]) }
}
