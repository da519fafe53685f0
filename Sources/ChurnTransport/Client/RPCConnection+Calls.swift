public import ChurnWire
internal import NIOConcurrencyHelpers
public import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

extension RPCConnection {
    /// Calls a unary method: one request frame, one answer.
    ///
    /// - Parameter timeout: how long to wait; it travels to the server as `churn-timeout-ms`, and
    ///   the call fails with `deadlineExceeded` here when it passes. nil waits as long as it takes.
    /// - Throws: ``RPCError``: the server's, or `unavailable` when the connection fails, or
    ///   `deadlineExceeded`.
    public func unary<Request: WireMessage, Response: WireMessage>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        timeout: Duration? = nil
    ) async throws(RPCError) -> Response {
        try await self.answer(of: self.startUnary(method, request, timeout: timeout))
    }

    /// Calls a streaming method with one request frame and waits for its answer frame: for
    /// methods that answer each request frame with one, such as `ScoreBatch`, the whole call, sent
    /// as a unary call is (``startSingleFrame(_:_:timeout:)``).
    ///
    /// - Throws: ``RPCError`` as ``unary(_:_:timeout:)`` does.
    public func singleFrame<Request: WireMessage, Response: WireMessage>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        timeout: Duration? = nil
    ) async throws(RPCError) -> Response {
        try await self.answer(of: self.startSingleFrame(method, request, timeout: timeout))
    }

    /// Waits for a started call's answer; a failure that is not an ``RPCError`` is `unavailable`.
    private func answer<Response: Sendable>(of call: EventLoopFuture<Response>) async throws(RPCError) -> Response {
        do {
            return try await call.get()
        } catch {
            throw error as? RPCError
                ?? RPCError(.unavailable, "the call to \(self.target) failed: \(error)", cause: error)
        }
    }

    /// Starts a unary call and returns its answer as a future on the connection's event loop,
    /// for callers that live on that loop (load generators, channel handlers): started there, the
    /// call is written without a thread hop, and its answer is decoded where it is read.
    /// ``unary(_:_:timeout:)`` is the same call for async callers.
    ///
    /// - Returns: a future that fails with an ``RPCError`` as ``unary(_:_:timeout:)`` throws.
    public func startUnary<Request: WireMessage, Response: WireMessage>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        timeout: Duration? = nil
    ) -> EventLoopFuture<Response> {
        self.startOneFrameCall(method, request, timeout: timeout)
    }

    /// Starts a streaming call of one request frame, marked as the last, and returns the server's
    /// first answer frame as a future on the connection's event loop, like
    /// ``startUnary(_:_:timeout:)``. For methods that answer each request frame with one frame,
    /// such as `ScoreBatch`, that answer is the whole call; the wire carries what a unary call
    /// does (HEADERS, then one DATA frame that ends the stream, each way).
    ///
    /// - Returns: a future that fails with an ``RPCError`` as ``unary(_:_:timeout:)`` throws.
    public func startSingleFrame<Request: WireMessage, Response: WireMessage>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        timeout: Duration? = nil
    ) -> EventLoopFuture<Response> {
        self.startOneFrameCall(method, request, timeout: timeout)
    }

    /// One request frame with the end flag, ending the stream; the first answer frame.
    private func startOneFrameCall<Request: WireMessage, Response: WireMessage>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        timeout: Duration?
    ) -> EventLoopFuture<Response> {
        var body = ByteBuffer()
        var encoder = FrameEncoder(peerAcceptsCompression: false)
        encoder.encode(request, flags: .end, into: &body)
        var headers = Self.requestHeaders(method.descriptor, authority: self.target.description)
        var deadline: NIODeadline?
        if let timeout {
            headers.add(name: RPCProtocol.timeoutHeader, value: String(Self.milliseconds(timeout)))
            deadline = .now() + TimeAmount(timeout)
        }
        let eventLoop = self.channel.eventLoop
        let promise = eventLoop.makePromise(of: Frame.self)
        let call = UnaryCallStart(
            connection: self.channel,
            multiplexer: self.multiplexer,
            headers: headers,
            body: body,
            deadline: deadline,
            limits: self.limits,
            target: self.target.description,
            promise: promise
        )
        if eventLoop.inEventLoop {
            call.run()
        } else {
            eventLoop.execute { call.run() }
        }
        let limits = self.limits
        return promise.futureResult.flatMapThrowing { frame in
            try RPCResponseStream<Response>.AsyncIterator.decode(frame, limits: limits)
        }
    }

    /// A timeout as whole milliseconds for `churn-timeout-ms`: at least 1, at most the protocol's limit.
    static func milliseconds(_ timeout: Duration) -> Int64 {
        min(
            max(Int64(timeout.components.seconds) * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000, 1),
            RPCProtocol.maxTimeoutMilliseconds
        )
    }

    /// Calls a bidirectional-streaming method: `requests` are sent as they come (one frame
    /// each, the stream ended after the last) while `handleResponses` reads the answers.
    ///
    /// Memory stays bounded both ways: sending waits while the server's window is full, and the
    /// server stops reading while answers go unread.
    ///
    /// - Throws: ``RPCError``, or what `requests` or `handleResponses` throw.
    public func bidirectional<Request: WireMessage, Response: WireMessage, Requests, Result: Sendable>(
        _ method: RPCMethod<Request, Response>,
        requests: Requests,
        timeout: Duration? = nil,
        handleResponses: (RPCResponseStream<Response>) async throws -> Result
    ) async throws -> Result where Requests: AsyncSequence & Sendable, Requests.Element == Request {
        try await self.withStream(method.descriptor, timeout: timeout) { stream, headers in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await stream.write(.headers(.init(headers: headers)))
                    var encoder = FrameEncoder(peerAcceptsCompression: false)
                    for try await request in requests {
                        var body = ByteBuffer()
                        encoder.encode(request, into: &body)
                        try await stream.write(.data(.init(data: .byteBuffer(body))))
                    }
                    try await stream.write(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true)))
                }
                let result: Result
                do {
                    result = try await handleResponses(stream.responses(as: Response.self))
                } catch {
                    // The call failed (the server answered with an error, or the caller gave up)
                    // while its request may still be on its way: stop sending it. The server
                    // waits for this rather than resetting the stream under the bytes in flight.
                    stream.cancel()
                    throw error
                }
                try await group.waitForAll()
                return result
            }
        }
    }

    /// Opens a stream, runs `body` with it and the request headers, and closes it; maps every
    /// failure to an ``RPCError`` and enforces the timeout.
    func withStream<Result: Sendable, Failure: Error>(
        _ method: RPCMethodDescriptor,
        timeout: Duration?,
        _ body: (CallStream, HPACKHeaders) async throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        let deadline = timeout.map { NIODeadline.now() + TimeAmount($0) }
        // Stamped now: time spent waiting for a stream counts as the call's wait.
        var headers = Self.requestHeaders(method, authority: self.target.description)
        let timedOut = NIOLockedValueBox(false)
        let failure: @Sendable (any Error) -> RPCError = { error in
            if timedOut.withLockedValue({ $0 }) {
                return RPCError(.deadlineExceeded, "no answer from \(self.target) within the call's timeout")
            }
            if let error = error as? RPCError { return error }
            return RPCError(.unavailable, "the connection to \(self.target) failed: \(error)", cause: error)
        }
        let channel: NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>
        do {
            channel = try await self.openStream()
        } catch {
            throw failure(error) as! Failure
        }
        var timer: Scheduled<Void>?
        if let deadline, let timeout {
            headers.add(name: RPCProtocol.timeoutHeader, value: String(Self.milliseconds(timeout)))
            timer = channel.channel.eventLoop.scheduleTask(deadline: deadline) { [channel] in
                timedOut.withLockedValue { $0 = true }
                channel.channel.close(promise: nil)
            }
        }
        defer { timer?.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await body(
                    CallStream(
                        channel: channel.channel,
                        inbound: inbound,
                        outbound: outbound,
                        limits: self.limits,
                        failure: failure
                    ),
                    headers
                )
            }
        } catch let error as RPCError {
            throw failure(error) as! Failure
        } catch {
            throw (error as? Failure) ?? (failure(error) as! Failure)
        }
    }

    /// Opens a stream on this connection, wrapped for async use. Fails when the connection has
    /// closed. (Streams open at once, or wait for the server's stream limit; the call's deadline
    /// runs from the moment its stream is open.)
    func openStream() async throws -> NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload> {
        typealias Stream = NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>
        let promise = self.channel.eventLoop.makePromise(of: Stream.self)
        // Once the caller has given up (the connection closed), a stream that opens late
        // is closed unwrapped: a wrapped one must be used, or NIO traps when it is dropped.
        let abandoned = NIOLockedValueBox(false)
        let giveUp: @Sendable (any Error) -> Void = { error in
            abandoned.withLockedValue { $0 = true }
            promise.fail(error)
        }
        self.multiplexer.createStreamChannel { stream in
            stream.eventLoop.makeCompletedFuture {
                guard !abandoned.withLockedValue({ $0 }) else {
                    stream.close(promise: nil)
                    return
                }
                promise.succeed(try Stream(wrappingChannelSynchronously: stream))
            }
        }.whenFailure { error in
            // The initializer never ran (the connection is closed) or failed: say why.
            giveUp(error)
        }
        let connection = self.channel
        let target = self.target
        connection.eventLoop.execute {
            if !connection.isActive { giveUp(RPCError(.unavailable, "the connection to \(target) is closed")) }
        }
        return try await promise.futureResult.get()
    }

    /// The headers of a call to `method`, stamped with the time it is sent
    /// (``RPCProtocol/sentAtHeader``), so that a server behind can tell how long it waited.
    static func requestHeaders(_ method: RPCMethodDescriptor, authority: String) -> HPACKHeaders {
        var headers: HPACKHeaders = [
            ":method": "POST",
            ":scheme": "https",
            ":path": method.path,
            ":authority": authority,
            "content-type": RPCProtocol.contentType,
            RPCProtocol.acceptEncodingHeader: RPCProtocol.lz4,
        ]
        // Never the same twice: kept out of both ends' HPACK tables, which it would only churn.
        headers.add(name: RPCProtocol.sentAtHeader, value: String(WallClock.nowMilliseconds()), indexing: .nonIndexable)
        return headers
    }
}

/// One call's stream: writes request parts, reads answers.
struct CallStream: Sendable {
    let channel: any Channel
    let inbound: NIOAsyncChannelInboundStream<HTTP2Frame.FramePayload>
    let outbound: NIOAsyncChannelOutboundWriter<HTTP2Frame.FramePayload>
    let limits: WireLimits
    let failure: @Sendable (any Error) -> RPCError

    func write(_ payload: HTTP2Frame.FramePayload) async throws(RPCError) {
        do {
            try await self.outbound.write(payload)
        } catch {
            throw self.failure(error)
        }
    }

    func responses<Response: WireMessage>(as type: Response.Type) -> RPCResponseStream<Response> {
        RPCResponseStream(inbound: self.inbound, limits: self.limits, failure: self.failure)
    }

    /// Resets the stream (RST_STREAM): request bytes still waiting for flow control are dropped,
    /// not sent to a server that has already answered, and a pending write fails at once.
    func cancel() {
        self.channel.close(promise: nil)
    }
}
