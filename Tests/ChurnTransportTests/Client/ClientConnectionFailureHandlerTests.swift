import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import ChurnTransport

/// swift-nio-http2 answers a connection error with GOAWAY but leaves the connection open; a
/// caller's connection must then close, so that its calls fail at once and a pool reconnects.
@Suite("Closing a caller's connection on HTTP/2 connection errors")
struct ClientConnectionFailureHandlerTests {
    /// Whether an embedded connection is still open after `error` reaches its last handler.
    static func staysOpen(after error: any Error) throws -> Bool {
        let channel = EmbeddedChannel(handler: ClientConnectionFailureHandler())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7443)).wait()
        channel.pipeline.fireErrorCaught(error)
        // The error goes on down the pipeline, where the embedded channel keeps it.
        #expect(throws: (any Error).self) { try channel.throwIfErrorCaught() }
        return channel.isActive
    }

    @Test(
        "connection errors close the connection",
        arguments: [
            NIOHTTP2Errors.excessiveRSTFrames() as any Error,
            NIOHTTP2Errors.excessiveStreamErrors(),
            NIOHTTP2Errors.excessiveNumberOfGlitches(),
            NIOHTTP2Errors.unableToParseFrame(),
            NIOHPACKErrors.MaxHeaderListSizeViolation(),
        ]
    )
    func connectionErrorsClose(error: any Error) throws {
        #expect(try !Self.staysOpen(after: error))
    }

    @Test(
        "errors of one stream leave the connection open",
        arguments: [
            NIOHTTP2Errors.noSuchStream(streamID: 7) as any Error,
            NIOHTTP2Errors.streamClosed(streamID: 7, errorCode: .cancel),
            NIOHTTP2Errors.contentLengthViolated(),
        ]
    )
    func streamErrorsDoNot(error: any Error) throws {
        #expect(try Self.staysOpen(after: error))
    }
}
