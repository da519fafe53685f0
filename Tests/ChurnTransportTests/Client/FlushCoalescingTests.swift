import ChurnTesting
import ChurnWire
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@testable import ChurnTransport

/// Counts the flushes that pass it on their way to the socket, and the writes they carry.
final class FlushCounter: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = NIOAny
    private let counts = NIOLockedValueBox((flushes: 0, writes: 0))

    var flushes: Int { self.counts.withLockedValue { $0.flushes } }
    var writes: Int { self.counts.withLockedValue { $0.writes } }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.counts.withLockedValue { $0.writes += 1 }
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        self.counts.withLockedValue { $0.flushes += 1 }
        context.flush()
    }
}

/// A caller's calls start outside any read, each in a task of its own; their flushes are
/// gathered so that calls started together share one TLS record and one system call.
@Suite("Gathering a caller's flushes", .onOwnEventLoops)
struct FlushCoalescingTests {
    @Test("flushes asked for in one pass of the event loop reach the socket as one, after the pass, with every write")
    func onePerPass() throws {
        let counter = FlushCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7443)).wait()

        for byte in 0..<3 as Range<UInt8> {
            channel.writeAndFlush(ByteBuffer(bytes: [byte]), promise: nil)
        }
        #expect(counter.flushes == 0)
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 1)
        #expect(counter.writes == 3)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0]))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [1]))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [2]))

        // A later pass flushes again.
        channel.writeAndFlush(ByteBuffer(bytes: [3]), promise: nil)
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 2)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [3]))
        _ = try? channel.finish()
    }

    @Test(
        "fifty unary calls started together on a real connection reach its socket in a few flushes, and all are answered"
    )
    func callsStartedTogether() async throws {
        try await withEchoConnection { connection, _, _ in
            let counter = FlushCounter()
            let loop = connection.eventLoop
            try await loop.submit {
                try connection.channel.pipeline.syncOperations.addHandler(counter, position: .first)
            }.get()
            let calls = 50
            let answers = try await loop.flatSubmit {
                let started = (0..<calls).map { crm in
                    connection.startUnary(
                        ScoringService.score,
                        ScoreRequest(crm: UInt64(crm), productGroup: "fuel-cards", features: [1]),
                        timeout: .seconds(60)
                    )
                }
                return EventLoopFuture.whenAllSucceed(started, on: loop)
            }.get()
            #expect(answers.map(\.crm) == (0..<calls).map { UInt64($0) })
            // Each call flushed down to the socket on its own before: at least one per call.
            #expect(counter.flushes < calls / 5, "flushes to the socket: \(counter.flushes)")
        }
    }
}
