package import NIOSSL

extension ServerTLS {
    /// The NIOSSL context: TLS 1.3 only, ALPN `h2`, and with a client CA, client certificates
    /// required and verified against it.
    ///
    /// - Throws: ``TransportError/Code/invalidTLSConfiguration`` naming the file at fault.
    package func makeContext() throws(TransportError) -> NIOSSLContext {
        let chain = try TLSFile.certificates(at: self.certificateChain, role: "server certificate")
        let key = try TLSFile.privateKey(at: self.privateKey)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv13
        configuration.applicationProtocols = [RPCProtocol.alpn]
        if let ca = self.clientCertificateCA {
            configuration.trustRoots = .certificates(try TLSFile.certificates(at: ca, role: "client CA"))
            // A server has no name to check a client against: verify the chain, require a certificate.
            configuration.certificateVerification = .noHostnameVerification
        } else {
            configuration.certificateVerification = .none
        }
        return try TLSFile.context(configuration)
    }
}
