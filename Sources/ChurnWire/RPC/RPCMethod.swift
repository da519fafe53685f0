/// A method of a `service` in `wire/`, with its request and response types.
///
/// Generated for every `rpc`: `ScoringService.score` is
/// `RPCMethod<ScoreRequest, ScoreResponse>` at path `/churn.v1.Scoring/Score`.
public struct RPCMethod<Request: WireMessage, Response: WireMessage>: Sendable, Hashable {
    /// The method's description without its types.
    public let descriptor: RPCMethodDescriptor

    /// Makes a method.
    public init(service: String, method: String, kind: RPCKind) {
        self.descriptor = RPCMethodDescriptor(
            service: service,
            method: method,
            kind: kind,
            requestType: Request.wireName,
            responseType: Response.wireName
        )
    }

    /// The HTTP/2 `:path` of the method, such as `/churn.v1.Scoring/Score`.
    public var path: String { self.descriptor.path }
}
