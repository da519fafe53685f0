import ChurnLoad
import ChurnTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// The FastAPI peer's client against a small HTTP/1.1 server on 127.0.0.1.
@Suite("HTTP/1.1 JSON target", .serialized)
struct HTTPJSONTargetTests {
    @Test("calls wait for one of the connections, bodies arrive whole, statuses are counted")
    func callsAndStatuses() async throws {
        let bodies = NIOLockedValueBox<[String]>([])
        try await withHTTPServer(bodies: bodies) { port in
            let ok = HTTPJSONTarget(
                name: "json",
                host: "127.0.0.1",
                port: port,
                path: "/score",
                connections: 2,
                rowsPerCall: 3
            ) { index in "{\"crm\":\(index)}" }
            let result = await LoadRunner.run(
                ok,
                LoadRunConfiguration(
                    mode: .open(ArrivalSchedule(rate: 200, process: .constant)),
                    duration: .seconds(1),
                    warmup: .zero
                )
            )
            await ok.close()
            #expect(result.failed == 0)
            #expect(result.answered == result.sent && result.sent >= 195)
            #expect(result.rows == 3 * result.answered)
            let seen = bodies.withLockedValue { $0 }
            #expect(seen.count == result.sent)
            #expect(seen.contains("{\"crm\":0}") && seen.allSatisfy { $0.hasPrefix("{\"crm\":") })

            let busy = HTTPJSONTarget(name: "busy", host: "127.0.0.1", port: port, path: "/busy", connections: 1) { _ in
                "{}"
            }
            let refused = await LoadRunner.run(
                busy,
                LoadRunConfiguration(mode: .closed(concurrency: 4), duration: .milliseconds(300), warmup: .zero)
            )
            await busy.close()
            #expect(refused.answered == 0)
            #expect(refused.failures.keys.sorted() == ["HTTP 503"])
        }
    }

    @Test("a connection the server closed while it was idle is not used again: every call is answered")
    func idleConnectionClosedByServer() async throws {
        let bodies = NIOLockedValueBox<[String]>([])
        try await withHTTPServer(bodies: bodies) { port in
            let target = HTTPJSONTarget(
                name: "closing",
                host: "127.0.0.1",
                port: port,
                path: "/score-then-close",
                connections: 1,
                timeout: .seconds(2)
            ) { index in "{\"crm\":\(index)}" }
            // 100 ms apart, so that each close has arrived before the next call.
            let result = await LoadRunner.run(
                target,
                LoadRunConfiguration(
                    mode: .open(ArrivalSchedule(rate: 10, process: .constant)),
                    duration: .seconds(1),
                    warmup: .zero
                )
            )
            await target.close()
            #expect(result.failures.isEmpty, "\(result.failures) \(result.failureExamples ?? [:])")
            #expect(result.answered == result.sent && result.sent >= 9)
        }
    }

    @Test("a port nobody listens on fails as UNAVAILABLE")
    func nobodyListening() async {
        let target = HTTPJSONTarget(name: "none", host: "127.0.0.1", port: 1, path: "/", connections: 1) { _ in "{}" }
        let result = await LoadRunner.run(
            target,
            LoadRunConfiguration(
                mode: .closed(concurrency: 1),
                duration: .milliseconds(200),
                warmup: .zero,
                maxCalls: 5
            )
        )
        #expect(result.failures == ["UNAVAILABLE": 5])
    }
}

/// A keep-alive HTTP/1.1 server: 200 with a JSON body on `/score` (recording each request
/// body), 503 elsewhere.
private func withHTTPServer(
    bodies: NIOLockedValueBox<[String]>,
    _ body: (Int) async throws -> Void
) async throws {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(JSONResponder(bodies: bodies))
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    do {
        try await body(channel.localAddress?.port ?? 0)
    } catch {
        try? await channel.close()
        throw error
    }
    try await channel.close()
}

private final class JSONResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let bodies: NIOLockedValueBox<[String]>
    var path = ""
    var received = ByteBuffer()

    init(bodies: NIOLockedValueBox<[String]>) {
        self.bodies = bodies
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.path = head.uri
            self.received.clear()
        case .body(var bytes):
            self.received.writeBuffer(&bytes)
        case .end:
            let closing = self.path == "/score-then-close"
            let ok = self.path == "/score" || closing
            if ok { self.bodies.withLockedValue { $0.append(String(buffer: self.received)) } }
            let answer = ok ? "{\"probability\":0.5}" : "{\"detail\":\"busy\"}"
            var head = HTTPResponseHead(version: .http1_1, status: ok ? .ok : .serviceUnavailable)
            head.headers.add(name: "content-type", value: "application/json")
            head.headers.add(name: "content-length", value: String(answer.utf8.count))
            context.write(self.wrapOutboundOut(.head(head)), promise: nil)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer)))), promise: nil)
            if closing {
                // As a server ends a keep-alive connection: after the answer, while the caller holds it idle.
                let context = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.value.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
                    context.value.close(promise: nil)
                }
            } else {
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
