import Foundation

/// Progress lines on standard error, so standard output stays the result.
enum Terminal {
    static func progress(_ line: String) {
        FileHandle.standardError.write(Data("churnbench: \(line)\n".utf8))
    }
}
