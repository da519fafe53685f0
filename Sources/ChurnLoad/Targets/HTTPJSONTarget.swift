internal import NIOConcurrencyHelpers
public import NIOCore
internal import NIOHTTP1
public import NIOPosix

/// JSON over HTTP/1.1 with keep-alive, as a FastAPI service is called: `POST path` with a body
/// per call, one call at a time on each of a fixed number of connections (HTTP/1.1 has no
/// multiplexing), so a call waits for a free connection and that wait counts in its latency.
public final class HTTPJSONTarget: LoadTarget {
    public let name: String
    private let host: String
    private let port: Int
    private let path: String
    private let rowsPerCall: Int
    private let body: @Sendable (Int) -> String
    private let group: any EventLoopGroup
    private let timeout: Duration
    private let pool: NIOLockedValueBox<Pool>

    private struct Pool {
        var idle: [any Channel] = []
        var open = 0
        var waiters: [CheckedContinuation<(any Channel)?, Never>] = []
    }

    private let maxConnections: Int

    /// Makes a target.
    ///
    /// - Parameters:
    ///   - body: the JSON body of call number `index`.
    ///   - rowsPerCall: rows one answer scores (1 for a single score).
    public init(
        name: String,
        host: String,
        port: Int,
        path: String,
        connections: Int,
        rowsPerCall: Int = 1,
        timeout: Duration = .seconds(5),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        body: @escaping @Sendable (Int) -> String
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.path = path
        self.maxConnections = max(1, connections)
        self.rowsPerCall = rowsPerCall
        self.timeout = timeout
        self.group = eventLoopGroup
        self.body = body
        self.pool = NIOLockedValueBox(Pool())
    }

    public func call(_ index: Int) async -> CallOutcome {
        guard let channel = await self.checkOut() else {
            return .failed(code: "UNAVAILABLE", message: "cannot connect to \(self.host):\(self.port)")
        }
        let promise = channel.eventLoop.makePromise(of: HTTPResponseStatus.self)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: self.path)
        let text = self.body(index)
        head.headers.add(name: "host", value: "\(self.host):\(self.port)")
        head.headers.add(name: "content-type", value: "application/json")
        head.headers.add(name: "content-length", value: String(text.utf8.count))
        let buffer = channel.allocator.buffer(string: text)
        let request = HTTPJSONRequest(head: head, body: buffer, promise: promise)
        channel.writeAndFlush(request, promise: nil)
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(self.timeout)) {
            promise.fail(HTTPJSONTargetError.timedOut)
        }
        do {
            let status = try await promise.futureResult.get()
            timer.cancel()
            self.checkIn(channel)
            return status == .ok
                ? .answered(rows: self.rowsPerCall)
                : .failed(code: "HTTP \(status.code)", message: "\(status)")
        } catch {
            timer.cancel()
            // The connection's state is unknown after a failure: drop it.
            channel.close(promise: nil)
            self.checkIn(nil)
            let timedOut = error as? HTTPJSONTargetError == .timedOut
            return .failed(code: timedOut ? "DEADLINE_EXCEEDED" : "UNAVAILABLE", message: "\(error)")
        }
    }

    public func close() async {
        let idle = self.pool.withLockedValue { pool in
            defer { pool.idle = [] }
            return pool.idle
        }
        for channel in idle { try? await channel.close() }
    }

    /// An idle connection, a new one while under the limit, or the next one checked in.
    private func checkOut() async -> (any Channel)? {
        enum Next {
            case use(any Channel)
            case open
            case wait
        }
        let next: Next = self.pool.withLockedValue { pool in
            if let channel = pool.idle.popLast() { return .use(channel) }
            if pool.open < self.maxConnections {
                pool.open += 1
                return .open
            }
            return .wait
        }
        switch next {
        case .use(let channel):
            return channel
        case .open:
            do {
                return try await ClientBootstrap(group: self.group)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHTTPClientHandlers()
                            try channel.pipeline.syncOperations.addHandler(HTTPJSONClientHandler())
                        }
                    }
                    .connect(host: self.host, port: self.port).get()
            } catch {
                self.checkIn(nil)
                return nil
            }
        case .wait:
            return await withCheckedContinuation { continuation in
                self.pool.withLockedValue { $0.waiters.append(continuation) }
            }
        }
    }

    /// Returns a connection (nil: one was lost) and hands it, or a slot, to the next waiter.
    private func checkIn(_ channel: (any Channel)?) {
        let usable = channel.flatMap { $0.isActive ? $0 : nil }
        enum Handoff {
            case give(CheckedContinuation<(any Channel)?, Never>, any Channel)
            case reopen(CheckedContinuation<(any Channel)?, Never>)
            case none
        }
        let handoff: Handoff = self.pool.withLockedValue { pool in
            if !pool.waiters.isEmpty {
                let waiter = pool.waiters.removeFirst()
                if let usable { return .give(waiter, usable) }
                return .reopen(waiter)
            }
            if let usable {
                pool.idle.append(usable)
            } else {
                pool.open -= 1
            }
            return .none
        }
        switch handoff {
        case .give(let waiter, let channel):
            waiter.resume(returning: channel)
        case .reopen(let waiter):
            // The lost connection's slot passes to the waiter, who opens a new one.
            self.pool.withLockedValue { $0.open -= 1 }
            Task { waiter.resume(returning: await self.checkOut()) }
        case .none:
            break
        }
    }
}

/// Why an HTTP call failed on the client side.
enum HTTPJSONTargetError: Error, Equatable {
    case timedOut
    case connectionClosed
}

/// A request with the promise its response completes.
struct HTTPJSONRequest {
    var head: HTTPRequestHead
    var body: ByteBuffer
    var promise: EventLoopPromise<HTTPResponseStatus>
}

/// Writes one request at a time and completes its promise with the response's status once the
/// whole response has been read.
final class HTTPJSONClientHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPJSONRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<HTTPResponseStatus>?
    private var status: HTTPResponseStatus?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        self.pending = request.promise
        context.write(self.wrapOutboundOut(.head(request.head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        context.write(self.wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.status = head.status
        case .body:
            break
        case .end:
            let promise = self.pending
            self.pending = nil
            promise?.succeed(self.status ?? .internalServerError)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.pending?.fail(HTTPJSONTargetError.connectionClosed)
        self.pending = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.pending?.fail(error)
        self.pending = nil
        context.close(promise: nil)
    }
}
