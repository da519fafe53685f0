import ChurnCertificates
import ChurnTesting
import ChurnWire
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import ChurnTransport

/// Bad input over the network gets a typed error or a clean close, and the node keeps serving.
@Suite("Bad input over the network", .onOwnEventLoops)
struct BadInputTests {
    /// Runs `body` against a fresh server and connection, then checks a new connection is served.
    func withServer(_ body: (RPCConnection, Int, TestCertificates) async throws -> Void) async throws {
        try await withEchoConnection(mutualTLS: false) { connection, port, pki in
            try await body(connection, port, pki)
            // The node still serves a new connection.
            let fresh = try await connect(port, tls: pki.clientTLS())
            defer { fresh.close() }
            #expect(try await fresh.unary(ScoringService.score, ScoreRequest(crm: 7)).crm == 7)
        }
    }

    @Test("an unknown path gets 404 and NOT_FOUND; the connection serves the next call")
    func unknownPath() async throws {
        try await self.withServer { connection, _, _ in
            let answer = try await connection.raw(
                headers: RPCConnection.headers(path: "/churn.v1.Nope/Nope"),
                chunks: [RPCConnection.frame(ScoreRequest(crm: 1))]
            )
            #expect(answer.status == "404")
            #expect(answer.error?.status == .notFound)
            #expect(try await connection.unary(ScoringService.score, ScoreRequest(crm: 2)).crm == 2)
        }
    }

    @Test("a wrong content type gets 415 and INVALID_ARGUMENT")
    func wrongContentType() async throws {
        try await self.withServer { connection, _, _ in
            let answer = try await connection.raw(
                headers: RPCConnection.headers(contentType: "application/grpc"),
                chunks: [RPCConnection.frame(ScoreRequest(crm: 1))]
            )
            #expect(answer.status == "415")
            #expect(answer.error?.status == .invalidArgument)
        }
    }

    @Test("GET instead of POST gets 405")
    func wrongMethod() async throws {
        try await self.withServer { connection, _, _ in
            let answer = try await connection.raw(headers: RPCConnection.headers(method: "GET"), chunks: [])
            #expect(answer.status == "405")
            #expect(answer.error?.status == .invalidArgument)
        }
    }

    @Test("a frame declaring more than the limit is refused before its bytes are awaited")
    func oversizedFrame() async throws {
        try await self.withServer { connection, _, _ in
            // Flags 0, length 64 MiB, and only 3 bytes of it: the header alone is refused.
            let answer = try await connection.raw(
                headers: RPCConnection.headers(),
                chunks: [[0x00, 0x04, 0x00, 0x00, 0x00, 1, 2, 3]],
                endRequest: false
            )
            #expect(answer.error?.status == .invalidArgument)
            #expect(answer.error?.message.contains("limit") == true)
        }
    }

    @Test("a request that ends inside a frame is refused")
    func truncatedFrame() async throws {
        try await self.withServer { connection, _, _ in
            let whole = RPCConnection.frame(ScoreRequest(crm: 5, productGroup: "tolls"))
            let answer = try await connection.raw(
                headers: RPCConnection.headers(),
                chunks: [Array(whole.prefix(whole.count - 2))]
            )
            #expect(answer.status == "200")
            #expect(answer.error?.status == .invalidArgument)
        }
    }

    @Test("a malformed message and reserved frame flags are refused with INVALID_ARGUMENT")
    func malformedMessage() async throws {
        try await self.withServer { connection, _, _ in
            let badVarint: [UInt8] = [0x04, 0, 0, 0, 3, 0x08, 0xFF, 0xFF]
            let answer = try await connection.raw(headers: RPCConnection.headers(), chunks: [badVarint])
            #expect(answer.error?.status == .invalidArgument)
            let reserved: [UInt8] = [0x80, 0, 0, 0, 0]
            let flags = try await connection.raw(headers: RPCConnection.headers(), chunks: [reserved])
            #expect(flags.error?.status == .invalidArgument)
        }
    }

    @Test("a stream reset in the middle of a call leaves the connection serving")
    func resetMidCall() async throws {
        try await self.withServer { connection, _, _ in
            let whole = RPCConnection.frame(ScoreRequest(crm: 9))
            _ = try await connection.raw(
                headers: RPCConnection.headers(path: ScoringService.scoreBatch.path),
                chunks: [Array(whole.prefix(3))],
                endRequest: false,
                abandon: true
            )
            #expect(try await connection.unary(ScoringService.score, ScoreRequest(crm: 10)).crm == 10)
        }
    }

    @Test("garbage instead of a TLS handshake is closed, and only that connection")
    func garbageBeforeTLS() async throws {
        try await self.withServer { _, port, _ in
            let channel = try await ClientBootstrap(group: TestEventLoops.current)
                .connect(host: "127.0.0.1", port: port).get()
            try await channel.writeAndFlush(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).get()
            try await Self.closes(channel)
        }
    }

    @Test(
        "a TLS client that does not offer h2 is closed",
        arguments: [[], ["http/1.1"]] as [[String]]
    )
    func withoutALPN(protocols: [String]) async throws {
        try await self.withServer { _, port, pki in
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .file(pki.files.caCertificate)
            configuration.applicationProtocols = protocols
            let context = try NIOSSLContext(configuration: configuration)
            let channel = try await ClientBootstrap(group: TestEventLoops.current)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: "localhost")
                        )
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            try await Self.closes(channel)
        }
    }

    /// Waits (at most 10 s) for the server to close `channel`.
    static func closes(_ channel: any Channel) async throws {
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
        let started = NIODeadline.now()
        try? await channel.closeFuture.get()
        timeout.cancel()
        #expect(NIODeadline.now() - started < .seconds(9), "the server did not close the connection")
    }
}
