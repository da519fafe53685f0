internal import NIOSSL

/// Loads PEM files for TLS, turning every failure into an error that names the file.
enum TLSFile {
    static func certificates(at path: String, role: String) throws(TransportError) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw TransportError(
                .invalidTLSConfiguration,
                "cannot read the \(role) from '\(path)': not a readable PEM certificate file",
                cause: error
            )
        }
        guard !certificates.isEmpty else {
            throw TransportError(.invalidTLSConfiguration, "'\(path)' holds no certificate (the \(role))")
        }
        return certificates
    }

    static func privateKey(at path: String) throws(TransportError) -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw TransportError(
                .invalidTLSConfiguration,
                "cannot read the private key from '\(path)': not a readable, unencrypted PEM key",
                cause: error
            )
        }
    }

    static func context(_ configuration: TLSConfiguration) throws(TransportError) -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TransportError(
                .invalidTLSConfiguration,
                "the TLS configuration is unusable (does the key match the certificate?)",
                cause: error
            )
        }
    }
}
