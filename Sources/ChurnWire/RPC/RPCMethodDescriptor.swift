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
