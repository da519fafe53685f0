/// How many messages each side of an RPC sends (`wire/README.md`, "RPCs").
public enum RPCKind: Sendable, Hashable {
    /// One request frame, one response frame.
    case unary
    /// Many request frames, then one response frame.
    case clientStreaming
    /// One request frame, then many response frames.
    case serverStreaming
    /// Frames flow both ways on one stream.
    case bidirectionalStreaming
}

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

/// A method's names and kind, for routing tables that hold methods of many types.
public struct RPCMethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// The service's full name, such as `churn.v1.Scoring`.
    public let service: String
    /// The method's name, such as `Score`.
    public let method: String
    /// How many messages each side sends.
    public let kind: RPCKind
    /// The request message's full name.
    public let requestType: String
    /// The response message's full name.
    public let responseType: String

    /// Makes a descriptor.
    public init(service: String, method: String, kind: RPCKind, requestType: String, responseType: String) {
        self.service = service
        self.method = method
        self.kind = kind
        self.requestType = requestType
        self.responseType = responseType
    }

    /// The HTTP/2 `:path`: `/<service>/<method>`.
    public var path: String { "/\(self.service)/\(self.method)" }

    public var description: String { self.path }
}
