#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DevelopmentCertificates {
    /// Writes every certificate and key into `directory` (created with mode 0700 if missing):
    /// `ca.pem`, `ca.key`, `node.pem`, `node.key`, `client.pem`, `client.key`. Private keys are
    /// created with mode 0600 (never readable by others, even for an instant); certificates 0644.
    ///
    /// - Parameter overwrite: replace files that exist; default false refuses to.
    /// - Throws: ``CertificateError`` naming the file that could not be written or already exists.
    @discardableResult
    public func write(to directory: String, overwrite: Bool = false) throws(CertificateError) -> Files {
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw CertificateError("cannot create the folder '\(directory)': \(String(cString: strerror(errno)))")
        }
        func path(_ name: String) -> String { directory.hasSuffix("/") ? directory + name : directory + "/" + name }
        let files = Files(
            caCertificate: path("ca.pem"),
            caPrivateKey: path("ca.key"),
            nodeCertificate: path("node.pem"),
            nodePrivateKey: path("node.key"),
            clientCertificate: path("client.pem"),
            clientPrivateKey: path("client.key")
        )
        let contents: [(String, String, mode_t)] = [
            (files.caCertificate, self.ca.certificatePEM, 0o644),
            (files.caPrivateKey, self.ca.privateKeyPEM, 0o600),
            (files.nodeCertificate, self.node.certificatePEM, 0o644),
            (files.nodePrivateKey, self.node.privateKeyPEM, 0o600),
            (files.clientCertificate, self.client.certificatePEM, 0o644),
            (files.clientPrivateKey, self.client.privateKeyPEM, 0o600),
        ]
        if !overwrite {
            for (file, _, _) in contents where access(file, F_OK) == 0 {
                throw CertificateError("'\(file)' exists; pass --force to replace the development certificates")
            }
        }
        for (file, text, mode) in contents {
            try Self.writeFile(file, text, mode: mode)
        }
        return files
    }

    private static func writeFile(_ path: String, _ text: String, mode: mode_t) throws(CertificateError) {
        // Remove first: open() keeps an existing file's mode, and a key must never be left 0644.
        unlink(path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw CertificateError("cannot create '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        // The umask may have cleared bits of a certificate's 0644; set the mode exactly.
        fchmod(descriptor, mode)
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else {
                throw CertificateError("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            written += result
        }
    }
}
