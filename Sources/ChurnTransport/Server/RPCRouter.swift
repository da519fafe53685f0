public import ChurnWire
public import NIOCore

/// The table of methods a server serves, by HTTP/2 `:path`.
///
/// Handlers run inline on the connection's event loop, one request message in, one response
/// message out: a unary method answers its one request; a bidirectional-streaming
/// method answers each request frame with one response frame, in order (as `ScoreBatch` does).
/// That is the scoring path's shape and why it needs no task per call (`STACK-NOTES.md`).
///
/// ```swift
/// var router = RPCRouter()
/// router.register(HealthService.check) { request, context throws(RPCError) in
///     HealthResponse(state: .serving)
/// }
/// ```
///
/// - Important: a handler blocks its event loop while it runs: keep it to CPU work measured in
///   microseconds. Work that waits (a database commit) is registered with
///   ``register(_:completingLater:)``, which answers when the work's future completes.
public struct RPCRouter: Sendable {
    private var routes: [String: RPCRoute] = [:]

    /// Makes an empty router.
    public init() {}

    /// Serves `method` with `handler`.
    ///
    /// - Precondition: `method` is unary or bidirectional-streaming (the shapes the transport
    ///   serves), and no handler serves its path yet.
    public mutating func register<Request: WireMessage, Response: WireMessage>(
        _ method: RPCMethod<Request, Response>,
        handler: @escaping @Sendable (Request, RPCContext) throws(RPCError) -> Response
    ) {
        self.checkServable(method)
        self.routes[method.path] = RPCRoute(method.descriptor) {
            (payload, context, encoder, flags, output) throws(RPCError) in
            let request: Request
            do throws(WireError) {
                request = try Request(decoding: payload, limits: context.limits)
            } catch {
                throw error.rpcError
            }
            let response = try handler(request, context)
            encoder.encode(response, flags: flags, into: &output)
        }
    }

    /// Serves `method` with `handler`, whose work completes later: for work that waits, such as
    /// a database commit.
    ///
    /// The handler runs on the stream's event loop and must not block it: it starts the work and
    /// returns a future of the answer, which is sent when the future completes (on any loop).
    /// A future that fails with an ``RPCError`` ends the call with it; any other failure is
    /// answered `INTERNAL`. While an answer is pending the stream reads no further request frame,
    /// so a streaming method still answers each frame in order, and the call keeps its place
    /// among the server's calls in progress. When the caller's deadline passes first, the call
    /// is answered `DEADLINE_EXCEEDED` at once and the later answer is dropped: the work itself
    /// may still complete, so such work must be safe to repeat (ingest deduplicates by event id).
    /// Graceful shutdown waits for pending answers like any call in flight.
    ///
    /// - Precondition: as for ``register(_:handler:)``.
    public mutating func register<Request: WireMessage, Response: WireMessage>(
        _ method: RPCMethod<Request, Response>,
        completingLater handler: @escaping @Sendable (Request, RPCContext, any EventLoop) -> EventLoopFuture<Response>
    ) {
        self.checkServable(method)
        self.routes[method.path] = RPCRoute(method.descriptor) {
            (payload, context, eventLoop) throws(RPCError) in
            let request: Request
            do throws(WireError) {
                request = try Request(decoding: payload, limits: context.limits)
            } catch {
                throw error.rpcError
            }
            return handler(request, context, eventLoop).map { response in
                RPCRoute.DeferredAnswer { encoder, flags, output in
                    encoder.encode(response, flags: flags, into: &output)
                }
            }
        }
    }

    private func checkServable(_ method: RPCMethod<some WireMessage, some WireMessage>) {
        precondition(
            method.descriptor.kind == .unary || method.descriptor.kind == .bidirectionalStreaming,
            "\(method.path): only unary and bidirectional-streaming methods are served"
        )
        precondition(self.routes[method.path] == nil, "\(method.path) is registered twice")
    }

    /// The methods served.
    public var methods: [RPCMethodDescriptor] {
        self.routes.values.map { $0.descriptor }.sorted { $0.path < $1.path }
    }

    /// The route serving `path`, if any.
    func route(for path: String) -> RPCRoute? {
        self.routes[path]
    }
}
