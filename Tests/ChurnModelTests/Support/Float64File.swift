import Foundation

/// A fixture file that is not what its script writes: truncated, or of another shape.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// Reads a fixture of little-endian float64 values, as the fixture scripts write them with numpy.
///
/// - Throws: ``FixtureError`` when the file's length is not a whole number of float64 values.
func readFloat64s(_ url: URL) throws -> [Double] {
    let data = try Data(contentsOf: url)
    guard data.count % 8 == 0 else {
        throw FixtureError(
            description: "\(url.lastPathComponent) has \(data.count) bytes, not a whole number of float64s"
        )
    }
    return data.withUnsafeBytes { bytes in
        (0..<data.count / 8).map {
            Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))
        }
    }
}

/// Splits a flat list into rows of `width` values.
///
/// - Throws: ``FixtureError`` when the values do not fill whole rows (`expectedRows`, if given,
///   must also match).
func rows(of values: [Double], width: Int, expectedRows: Int? = nil) throws -> [[Double]] {
    guard width > 0, values.count % width == 0 else {
        throw FixtureError(description: "\(values.count) values do not make rows of \(width)")
    }
    if let expectedRows, values.count / width != expectedRows {
        throw FixtureError(description: "\(values.count / width) rows where the fixture says \(expectedRows)")
    }
    return stride(from: 0, to: values.count, by: width).map { Array(values[$0..<$0 + width]) }
}
