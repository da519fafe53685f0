public import ChurnWire
internal import NIOCore

/// The table of methods a server serves, by HTTP/2 `:path`.
///
/// Handlers are synchronous and run inline on the connection's event loop, one request message
/// in, one response message out: a unary method answers its one request; a bidirectional-streaming
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
///   microseconds; anything that waits belongs elsewhere.
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
        precondition(
            method.descriptor.kind == .unary || method.descriptor.kind == .bidirectionalStreaming,
            "\(method.path): only unary and bidirectional-streaming methods are served"
        )
        precondition(self.routes[method.path] == nil, "\(method.path) is registered twice")
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

    /// The methods served.
    public var methods: [RPCMethodDescriptor] {
        self.routes.values.map { $0.descriptor }.sorted { $0.path < $1.path }
    }

    /// The route serving `path`, if any.
    func route(for path: String) -> RPCRoute? {
        self.routes[path]
    }
}
