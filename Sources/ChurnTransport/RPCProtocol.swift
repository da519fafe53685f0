/// The HTTP/2 conventions every ChurnGuard RPC follows (`wire/README.md`, §6): the header names
/// and values both sides write and check.
public enum RPCProtocol {
    /// The `content-type` of every request and response body.
    public static let contentType = "application/churn+wire"
    /// The header a side sends to say it accepts LZ4-compressed frames; its value lists encodings.
    public static let acceptEncodingHeader = "churn-accept-encoding"
    /// The one compression ChurnGuard speaks.
    public static let lz4 = "lz4"
    /// The header carrying the time the caller still waits, in whole milliseconds (at most 8 digits).
    public static let timeoutHeader = "churn-timeout-ms"
    /// The header carrying when the caller started the call: Unix time in whole milliseconds
    /// (1 to 16 digits). The server compares it with its own clock, relative to the smallest
    /// difference seen on the connection, to learn how long the call waited to reach it.
    public static let sentAtHeader = "churn-sent-at-ms"
    /// The one ALPN protocol offered and accepted.
    public static let alpn = "h2"
    /// The largest timeout the header may carry: 99,999,999 ms (about 27.8 hours).
    public static let maxTimeoutMilliseconds: Int64 = 99_999_999
    /// How many reset streams a caller's connection remembers, to ignore answers the server sent
    /// before it learnt of the reset (swift-nio-http2 takes a frame for a closed stream it has
    /// forgotten as a connection error; its default, 32, closed callers' connections when hundreds
    /// of calls a second passed their deadlines).
    static let clientRecentlyResetStreamsRemembered = 4_096
    /// The same for the server's connections, whose resets follow shed and rejected calls. Fewer:
    /// with 4,096 the scorer spent about 13 µs more CPU per unary call (closed-loop unary,
    /// 2026-11-24; 512 cost nothing measurable), and 512 kept every connection through batch
    /// frames at twice capacity with 1,000 calls shed in 10 s.
    static let serverRecentlyResetStreamsRemembered = 512
    /// How many resets (and stream errors) a second a caller's connection takes from the server
    /// before it gives the connection up. swift-nio-http2 keeps a time stamp for each within the
    /// window, allocated up front (8 bytes each); a server sheds at most a few thousand calls a
    /// second on one connection.
    static let clientServerResetsPerSecond = 20_000

    /// Whether a `churn-accept-encoding` value lists `lz4`: a comma-separated list of encodings,
    /// compared without regard to ASCII case, with spaces and tabs around each ignored.
    ///
    /// Byte by byte rather than `String.contains`, which cost about 3 % of a unary call's CPU on
    /// the scorer (perf, 2026-11-24), and which took any value with `lz4` inside it.
    static func listsLZ4(_ acceptEncoding: String) -> Bool {
        var utf8 = acceptEncoding.utf8[...]
        while !utf8.isEmpty {
            let end = utf8.firstIndex(of: UInt8(ascii: ",")) ?? utf8.endIndex
            if Self.isLZ4Token(utf8[utf8.startIndex..<end]) { return true }
            utf8 = end == utf8.endIndex ? utf8[end...] : utf8[utf8.index(after: end)...]
        }
        return false
    }

    private static func isLZ4Token(_ token: Substring.UTF8View) -> Bool {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = token.firstIndex(where: { !isBlank($0) }),
            let last = token.lastIndex(where: { !isBlank($0) })
        else { return false }
        let trimmed = token[first...last]
        guard trimmed.count == 3 else { return false }
        return trimmed.elementsEqual("lz4".utf8) { byte, expected in
            let isUpper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
            return (isUpper ? byte | 0x20 : byte) == expected
        }
    }
}
