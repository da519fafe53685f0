/// The files a server's TLS is made from (PEM). TLS 1.3 only, ALPN `h2` only.
public struct ServerTLS: Sendable, Hashable {
    /// The server's certificate, followed by any intermediates.
    public var certificateChain: String
    /// The server certificate's private key.
    public var privateKey: String
    /// With a path, mutual TLS is on: every client must present a certificate that chains to this
    /// CA, or its handshake fails. nil: no client certificate is asked for. Default nil.
    public var clientCertificateCA: String?

    /// Makes a TLS configuration.
    public init(certificateChain: String, privateKey: String, clientCertificateCA: String? = nil) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.clientCertificateCA = clientCertificateCA
    }
}
