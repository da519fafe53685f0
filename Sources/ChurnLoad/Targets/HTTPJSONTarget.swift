public import NIOCore
internal import NIOHTTP1
public import NIOPosix

/// JSON over HTTP/1.1 with keep-alive, as a FastAPI service is called: `POST path` with a body
/// per call, one call at a time on each of a fixed number of connections (HTTP/1.1 has no
/// multiplexing), so a call waits for a free connection and that wait counts in its latency.
///
/// The connections are split over the event loop group's loops; each loop keeps its own pool
/// and runs its calls (call `index` on loop `index % eventLoops.count`) without a thread hop,
/// as ChurnGuard's own ``ScoreTarget`` does, so both peers meet a load generator of the same cost.
public final class HTTPJSONTarget: EventLoopLoadTarget {
    public let name: String
    private let host: String
    private let port: Int
    private let path: String
    private let rowsPerCall: Int
    private let body: @Sendable (Int) -> String
    private let timeout: Duration
    private let pools: [HTTPConnectionPool]

    public var eventLoops: [any EventLoop] { self.pools.map(\.eventLoop) }

    /// Makes a target.
    ///
    /// - Parameters:
    ///   - connections: connections in all, split over the group's event loops.
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
        self.rowsPerCall = rowsPerCall
        self.timeout = timeout
        self.body = body
        let connections = max(1, connections)
        var loops: [any EventLoop] = []
        for loop in eventLoopGroup.makeIterator() where loops.count < connections { loops.append(loop) }
        self.pools = loops.indices.map { index in
            HTTPConnectionPool(
                eventLoop: loops[index],
                maxConnections: connections / loops.count + (index < connections % loops.count ? 1 : 0),
                host: host,
                port: port
            )
        }
    }

    public func call(_ index: Int) async -> CallOutcome {
        await withCheckedContinuation { continuation in
            self.start(index) { continuation.resume(returning: $0) }
        }
    }

    public func start(_ index: Int, completion: @escaping @Sendable (CallOutcome) -> Void) {
        let pool = self.pools[index % self.pools.count]
        if pool.eventLoop.inEventLoop {
            self.run(index, on: pool, completion: completion)
        } else {
            pool.eventLoop.execute { self.run(index, on: pool, completion: completion) }
        }
    }

    /// Runs call `index` on `pool`'s event loop.
    private func run(_ index: Int, on pool: HTTPConnectionPool, completion: @escaping @Sendable (CallOutcome) -> Void) {
        let text = self.body(index)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: self.path)
        head.headers.add(name: "host", value: "\(self.host):\(self.port)")
        head.headers.add(name: "content-type", value: "application/json")
        head.headers.add(name: "content-length", value: String(text.utf8.count))
        let requestHead = head
        let rows = self.rowsPerCall
        let timeout = TimeAmount(self.timeout)
        let address = "\(self.host):\(self.port)"
        pool.checkOut { channel in
            guard let channel else {
                completion(.failed(code: "UNAVAILABLE", message: "cannot connect to \(address)"))
                return
            }
            let promise = channel.eventLoop.makePromise(of: HTTPResponseStatus.self)
            let request = HTTPJSONRequest(
                head: requestHead,
                body: channel.allocator.buffer(string: text),
                promise: promise
            )
            channel.writeAndFlush(request, promise: nil)
            let timer = channel.eventLoop.scheduleTask(in: timeout) {
                promise.fail(HTTPJSONTargetError.timedOut)
            }
            promise.futureResult.whenComplete { result in
                timer.cancel()
                switch result {
                case .success(let status):
                    pool.checkIn(channel)
                    completion(
                        status == .ok
                            ? .answered(rows: rows) : .failed(code: "HTTP \(status.code)", message: "\(status)")
                    )
                case .failure(let error):
                    // The connection's state is unknown after a failure: drop it.
                    channel.close(promise: nil)
                    pool.checkIn(nil)
                    let timedOut = error as? HTTPJSONTargetError == .timedOut
                    completion(.failed(code: timedOut ? "DEADLINE_EXCEEDED" : "UNAVAILABLE", message: "\(error)"))
                }
            }
        }
    }

    public func close() async {
        for pool in self.pools {
            let idle = try? await pool.eventLoop.submit { pool.takeIdle() }.get()
            for channel in idle ?? [] { try? await channel.close() }
        }
    }
}

/// One event loop's keep-alive connections to the peer: at most `maxConnections`, one call in
/// flight on each, calls beyond that queued in order. Touched on `eventLoop` only.
final class HTTPConnectionPool: @unchecked Sendable {
    let eventLoop: any EventLoop
    private let maxConnections: Int
    private let host: String
    private let port: Int
    private var idle: [any Channel] = []
    private var open = 0
    /// A call waiting for a connection (nil: none could be opened).
    typealias Waiter = @Sendable ((any Channel)?) -> Void
    private var waiting = CircularBuffer<Waiter>()

    init(eventLoop: any EventLoop, maxConnections: Int, host: String, port: Int) {
        self.eventLoop = eventLoop
        self.maxConnections = max(1, maxConnections)
        self.host = host
        self.port = port
    }

    /// Hands `use` an idle connection, a new one while under the limit (nil when it cannot be
    /// opened), or the next one checked in.
    func checkOut(_ use: @escaping Waiter) {
        self.eventLoop.assertInEventLoop()
        while let channel = self.idle.popLast() {
            // The peer may have closed it while it was idle (uvicorn does after 5 s): a request
            // written to a closed channel goes nowhere, and its call would wait out its timeout.
            if channel.isActive {
                use(channel)
                return
            }
            self.open -= 1
        }
        if self.open < self.maxConnections {
            self.open += 1
            self.connect().whenComplete { result in
                switch result {
                case .success(let channel):
                    use(channel)
                case .failure:
                    use(nil)
                    self.checkIn(nil)
                }
            }
        } else {
            self.waiting.append(use)
        }
    }

    /// Returns a connection after a call (nil: it was lost) and hands it, or its place, to the
    /// next call waiting.
    func checkIn(_ channel: (any Channel)?) {
        self.eventLoop.assertInEventLoop()
        if let channel, channel.isActive {
            if let next = self.waiting.popFirst() { next(channel) } else { self.idle.append(channel) }
            return
        }
        self.open -= 1
        if let next = self.waiting.popFirst() {
            // Later, from the loop: connections that fail at once must not recurse through the queue.
            self.eventLoop.execute { self.checkOut(next) }
        }
    }

    /// Takes the idle connections, for closing.
    func takeIdle() -> [any Channel] {
        defer { self.idle = [] }
        return self.idle
    }

    private func connect() -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: self.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTPJSONClientHandler())
                }
            }
            .connect(host: self.host, port: self.port)
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
