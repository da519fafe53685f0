public import ChurnCertificates
public import ChurnTransport
internal import Foundation

/// Development certificates minted for one test run, written into a fresh temporary folder.
public struct TestCertificates: Sendable {
    /// Where each file is.
    public let files: DevelopmentCertificates.Files
    /// The folder holding them.
    public let directory: String

    /// Mints a CA with node and client certificates.
    ///
    /// - Parameters:
    ///   - clientName: the client certificate's common name.
    ///   - nodeAddresses: IP addresses in the node certificate (default 127.0.0.1; none pins the name).
    public init(clientName: String = "test-client", nodeAddresses: [String] = ["127.0.0.1"]) throws {
        let template = NSTemporaryDirectory() + "churnguard-test-\(UUID().uuidString)"
        self.directory = template
        self.files = try DevelopmentCertificates.make(nodeAddresses: nodeAddresses, clientName: clientName).write(
            to: template
        )
    }

    /// The server side: the node certificate, and with `mutualTLS` client certificates required.
    public func serverTLS(mutualTLS: Bool = true) -> ServerTLS {
        ServerTLS(
            certificateChain: self.files.nodeCertificate,
            privateKey: self.files.nodePrivateKey,
            clientCertificateCA: mutualTLS ? self.files.caCertificate : nil
        )
    }

    /// The caller's side: trusts this CA; presents the client certificate unless told not to.
    public func clientTLS(presentCertificate: Bool = true) -> ClientTLS {
        ClientTLS(
            trustRoots: self.files.caCertificate,
            certificateChain: presentCertificate ? self.files.clientCertificate : nil,
            privateKey: presentCertificate ? self.files.clientPrivateKey : nil
        )
    }

    /// Removes the folder.
    public func remove() {
        try? FileManager.default.removeItem(atPath: self.directory)
    }
}
