import ChurnTesting
import NIOCore
import NIOEmbedded
import NIOHTTP2
import Testing

@testable import ChurnTransport

/// A server connection with no call open for `maxIdleTime` since its last call closed is drained
/// (GOAWAY) and closed; a connection with a call open is never idle, however long the call.
@Suite("Closing idle connections", .onOwnEventLoops)
struct ConnectionDrainHandlerTests {
    /// A connection whose drain handler closes it after 10 s idle, on a clock the test moves.
    struct Connection {
        let channel: EmbeddedChannel
        let drain: ConnectionDrainHandler

        init() throws {
            self.drain = ConnectionDrainHandler(
                gracePeriod: .seconds(5),
                maxIdleTime: .seconds(10),
                logger: quietLogger()
            )
            self.channel = EmbeddedChannel(handler: self.drain)
            try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7443)).wait()
        }

        func advance(seconds: Int64) {
            self.channel.embeddedEventLoop.advanceTime(by: .seconds(seconds))
        }

        /// Expects the connection still open `seconds` − 1 s from now and closed for idling at
        /// `seconds`.
        func expectClosedForIdling(
            inSeconds seconds: Int64,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            self.advance(seconds: seconds - 1)
            #expect(try !self.wasClosedForIdling(), "still open 1 s before", sourceLocation: sourceLocation)
            self.advance(seconds: 1)
            #expect(try self.wasClosedForIdling(), sourceLocation: sourceLocation)
        }

        /// Whether the handler sent GOAWAY and closed the connection.
        func wasClosedForIdling() throws -> Bool {
            guard let frame = try self.channel.readOutbound(as: HTTP2Frame.self) else { return false }
            guard case .goAway(_, .noError, _) = frame.payload else { return false }
            return !self.channel.isActive
        }
    }

    @Test("a connection that never calls is closed after the idle time")
    func neverUsed() throws {
        try Connection().expectClosedForIdling(inSeconds: 10)
    }

    @Test("the idle time counts from the last call's end, not from the timer's start")
    func countsFromTheLastCall() throws {
        let connection = try Connection()
        connection.advance(seconds: 6)
        connection.drain.streamOpened()
        connection.advance(seconds: 2)
        connection.drain.streamClosed()
        // The first timer (due at 10 s) finds the connection idle for only 2 s.
        try connection.expectClosedForIdling(inSeconds: 10)
    }

    @Test("a connection with a call open is never idle")
    func openCallKeepsItOpen() throws {
        let connection = try Connection()
        connection.drain.streamOpened()
        connection.advance(seconds: 60)
        #expect(try !connection.wasClosedForIdling())
        connection.drain.streamOpened()
        connection.drain.streamClosed()
        connection.advance(seconds: 60)
        #expect(try !connection.wasClosedForIdling())
        connection.drain.streamClosed()
        try connection.expectClosedForIdling(inSeconds: 10)
    }

    @Test("many calls in a row keep resetting the idle time")
    func busyConnection() throws {
        let connection = try Connection()
        for _ in 0..<30 {
            connection.drain.streamOpened()
            connection.drain.streamClosed()
            connection.advance(seconds: 3)
        }
        try connection.expectClosedForIdling(inSeconds: 7)
    }
}
