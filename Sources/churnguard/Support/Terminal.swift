import Foundation

/// Progress lines and durations for long-running commands.
enum Terminal {
    /// A progress line on standard error (standard output stays the command's result).
    static func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// A duration in seconds with two decimals.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return "\((value * 100).rounded() / 100) s"
    }
}
