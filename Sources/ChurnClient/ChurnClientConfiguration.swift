public import ChurnTransport
public import ChurnWire

/// How a ``ChurnClient`` reaches its scorer (or coordinator), each default stated on its property.
///
/// ```swift
/// let configuration = ChurnClientConfiguration(
///     target: .init(host: "scorer.internal", port: 7443),
///     tls: ClientTLS(trustRoots: "ca.pem", certificateChain: "client.pem", privateKey: "client.key")
/// )
/// ```
public struct ChurnClientConfiguration: Sendable {
    /// Where to connect.
    public var target: RPCConnection.Target
    /// The CA to trust and the client certificate to present.
    public var tls: ClientTLS
    /// Connections kept open to the target; calls are spread over them round-robin and
    /// multiplexed on each. Default 2.
    public var connections: Int
    /// How long a call waits when it does not say; nil waits as long as it takes. Default 1 s.
    public var defaultTimeout: Duration?
    /// How long connecting may take. Default 5 s.
    public var connectTimeout: Duration
    /// When and how often a failed unary call is tried again.
    public var retry: RetryPolicy
    /// Limits every answer is decoded under.
    public var limits: WireLimits

    /// Makes a configuration; every argument but `target` and `tls` defaults to the value stated on its property.
    public init(
        target: RPCConnection.Target,
        tls: ClientTLS,
        connections: Int = 2,
        defaultTimeout: Duration? = .seconds(1),
        connectTimeout: Duration = .seconds(5),
        retry: RetryPolicy = RetryPolicy(),
        limits: WireLimits = .defaults
    ) {
        self.target = target
        self.tls = tls
        self.connections = connections
        self.defaultTimeout = defaultTimeout
        self.connectTimeout = connectTimeout
        self.retry = retry
        self.limits = limits
    }
}
