import ArgumentParser
import ChurnTransport

/// The TLS files a caller uses: a folder made by `churnguard certs dev`, or each file named.
struct ClientTLSOptions: ParsableArguments {
    @Option(help: "A folder from `churnguard certs dev`: uses its ca.pem, client.pem and client.key.")
    var tlsDir: String?

    @Option(help: "The CA the scorer's certificate must chain to (PEM).")
    var ca: String?

    @Option(help: "The client certificate to present (PEM), for scorers that require mutual TLS.")
    var cert: String?

    @Option(help: "The client certificate's private key (PEM).")
    var key: String?

    @Option(help: "The name the scorer's certificate must carry (default: the host connected to).")
    var serverName: String?

    func clientTLS() throws -> ClientTLS {
        if let directory = self.tlsDir {
            return ClientTLS(
                trustRoots: self.ca ?? "\(directory)/ca.pem",
                certificateChain: self.cert ?? "\(directory)/client.pem",
                privateKey: self.key ?? "\(directory)/client.key",
                serverName: self.serverName
            )
        }
        guard self.ca != nil else {
            throw ValidationError(
                "give --tls-dir (from `churnguard certs dev`) or --ca (and --cert/--key for mutual TLS)"
            )
        }
        return ClientTLS(
            trustRoots: self.ca,
            certificateChain: self.cert,
            privateKey: self.key,
            serverName: self.serverName
        )
    }
}
