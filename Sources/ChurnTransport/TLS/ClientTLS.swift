/// The files a client's TLS is made from (PEM). TLS 1.3 only, ALPN `h2` only.
public struct ClientTLS: Sendable, Hashable {
    /// The CA the server's certificate must chain to; nil trusts the system's roots.
    public var trustRoots: String?
    /// The client's certificate, for servers that require mutual TLS; nil presents none.
    public var certificateChain: String?
    /// The client certificate's private key (required with `certificateChain`).
    public var privateKey: String?
    /// The name the server's certificate must carry (SNI and verification). nil uses the host
    /// connected to; an IP address is then checked against the certificate's IP entries.
    public var serverName: String?

    /// Makes a TLS configuration.
    public init(
        trustRoots: String? = nil,
        certificateChain: String? = nil,
        privateKey: String? = nil,
        serverName: String? = nil
    ) {
        self.trustRoots = trustRoots
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.serverName = serverName
    }
}
