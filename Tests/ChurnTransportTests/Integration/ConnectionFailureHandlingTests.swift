import ChurnTesting
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import ChurnTransport

/// swift-nio-http2 answers a connection error with GOAWAY but leaves the connection open: the
/// last handler of a caller's connection and of a server's must then close it, so that its calls
/// fail at once and a pool reconnects. An error of one stream must leave the other calls alone.
@Suite("Closing a connection on HTTP/2 connection errors", .onOwnEventLoops)
struct ConnectionFailureHandlingTests {
    enum Side: String, CaseIterable, CustomTestStringConvertible {
        case caller, server
        var testDescription: String { self.rawValue }
    }

    static let connectionErrors: [any Error] = [
        NIOHTTP2Errors.excessiveRSTFrames(),
        NIOHTTP2Errors.excessiveStreamErrors(),
        NIOHTTP2Errors.excessiveNumberOfGlitches(),
        NIOHTTP2Errors.unableToParseFrame(),
        NIOHPACKErrors.MaxHeaderListSizeViolation(),
    ]

    static let streamErrors: [any Error] = [
        NIOHTTP2Errors.noSuchStream(streamID: 7),
        NIOHTTP2Errors.streamClosed(streamID: 7, errorCode: .cancel),
        NIOHTTP2Errors.contentLengthViolated(),
        // What a server raises for a stream the caller opened after the server's GOAWAY: the
        // stream is refused, the calls in progress carry on.
        NIOHTTP2Errors.streamError(streamID: 9, baseError: NIOHTTP2Errors.createdStreamAfterGoaway()),
    ]

    /// Whether an embedded connection ending in `side`'s last handler is still open after `error`.
    static func staysOpen(_ side: Side, after error: any Error) throws -> Bool {
        let handler: any ChannelHandler =
            switch side {
            case .caller: ClientConnectionFailureHandler()
            case .server: ConnectionErrorHandler(logger: quietLogger())
            }
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7443)).wait()
        channel.pipeline.fireErrorCaught(error)
        _ = try? channel.throwIfErrorCaught()
        return channel.isActive
    }

    @Test("connection errors close the connection", arguments: Side.allCases, 0..<connectionErrors.count)
    func connectionErrorsClose(side: Side, error: Int) throws {
        #expect(try !Self.staysOpen(side, after: Self.connectionErrors[error]))
    }

    @Test("errors of one stream leave the connection open", arguments: Side.allCases, 0..<streamErrors.count)
    func streamErrorsDoNot(side: Side, error: Int) throws {
        #expect(try Self.staysOpen(side, after: Self.streamErrors[error]))
    }
}
