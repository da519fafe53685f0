package import NIOSSL

extension ClientTLS {
    /// The NIOSSL context: TLS 1.3 only, ALPN `h2`, the server's certificate verified (chain and
    /// name) against ``trustRoots``, and the client certificate presented when one is configured.
    ///
    /// - Throws: ``TransportError/Code/invalidTLSConfiguration`` naming the file at fault.
    package func makeContext() throws(TransportError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv13
        configuration.applicationProtocols = [RPCProtocol.alpn]
        configuration.certificateVerification = .fullVerification
        if let roots = self.trustRoots {
            configuration.trustRoots = .certificates(try TLSFile.certificates(at: roots, role: "trusted CA"))
        }
        switch (self.certificateChain, self.privateKey) {
        case (let chain?, let key?):
            configuration.certificateChain = try TLSFile.certificates(at: chain, role: "client certificate")
                .map { .certificate($0) }
            configuration.privateKey = .privateKey(try TLSFile.privateKey(at: key))
        case (nil, nil):
            break
        default:
            throw TransportError(
                .invalidTLSConfiguration,
                "a client certificate needs both its certificate chain and its private key"
            )
        }
        return try TLSFile.context(configuration)
    }
}
