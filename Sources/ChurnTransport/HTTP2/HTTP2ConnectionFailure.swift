internal import NIOHPACK
internal import NIOHTTP2

/// Which errors swift-nio-http2 reports for the whole connection.
///
/// On a connection error swift-nio-http2 sends GOAWAY, stops parsing and reports the error down
/// the pipeline, but leaves the connection open: RFC 9113 §5.4.1 says the endpoint must then
/// close it, and that is ours to do. Until then a caller's connection stays half alive (its own
/// new streams are still allowed, the server no longer answers them), and every call on it
/// hangs until its deadline. Stream errors travel down the same pipeline and concern one call
/// only, and so do failed writes (such as `NoSuchStream` for an answer to a call the peer has
/// already closed), which send no GOAWAY: neither is in this list. The list names the errors
/// raised only on receiving: the defences against floods, frames that cannot be parsed, a bad
/// preface or settings, and HPACK errors.
enum HTTP2ConnectionFailure {
    /// Whether `error` is one the HTTP/2 handler raised: any `NIOHTTP2Error`, or the wrapper it
    /// puts around one stream's error (such as a stream the peer opened after GOAWAY, which is
    /// refused while the connection's calls carry on).
    static func isFromHTTP2(_ error: any Error) -> Bool {
        error is any NIOHTTP2Error || error is NIOHTTP2Errors.StreamError
    }

    /// Whether `error`, reported by the HTTP/2 handler, means the connection is finished.
    static func isFatal(_ error: any Error) -> Bool {
        switch error {
        case is NIOHTTP2Errors.ExcessiveRSTFrames,
            is NIOHTTP2Errors.ExcessiveStreamErrors,
            is NIOHTTP2Errors.ExcessiveNumberOfGlitches,
            is NIOHTTP2Errors.ExcessiveEmptyDataFrames,
            is NIOHTTP2Errors.ExcessiveControlFrames,
            is NIOHTTP2Errors.ExcessiveContinuationFrames,
            is NIOHTTP2Errors.ExcessiveOutboundFrameBuffering,
            is NIOHTTP2Errors.ExcessivelyLargeHeaderBlock,
            is NIOHTTP2Errors.UnableToParseFrame,
            is NIOHTTP2Errors.BadClientMagic,
            is NIOHTTP2Errors.MissingPreface,
            is NIOHTTP2Errors.InvalidSetting,
            is NIOHTTP2Errors.ReceivedBadSettings,
            is any NIOHPACKError:
            return true
        default:
            return false
        }
    }
}
