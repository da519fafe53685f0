import ArgumentParser
import ChurnCertificates

/// Certificates for development machines and tests.
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Make TLS certificates.",
        subcommands: [Development.self]
    )

    struct Development: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dev",
            abstract: "Make a development CA with a node and a client certificate.",
            discussion: """
                Writes ca.pem/ca.key (the CA), node.pem/node.key (for scorers: serverAuth and \
                clientAuth, valid for --name and --ip) and client.pem/client.key (for callers) into \
                --out, created with mode 0700; keys are written 0600. Start a scorer with \
                `churnguard scorer --tls-dir DIR` and call it with `churnguard score --tls-dir DIR`. \
                For development only: production certificates come from your own CA.
                """
        )

        @Option(help: "The folder to write into.")
        var out = "certs"

        @Option(name: .customLong("name"), help: "A DNS name the node certificate is valid for (repeatable).")
        var names: [String] = ["localhost"]

        @Option(name: .customLong("ip"), help: "An IP address the node certificate is valid for (repeatable).")
        var addresses: [String] = ["127.0.0.1"]

        @Option(help: "The client certificate's common name: who the caller is.")
        var clientName = "churnguard-client"

        @Option(help: "Days the certificates are valid.")
        var days = 365

        @Flag(help: "Replace certificates that already exist in --out.")
        var force = false

        func validate() throws {
            guard (1...3650).contains(self.days) else { throw ValidationError("--days must be 1 to 3650") }
        }

        func run() throws {
            do {
                let pki = try DevelopmentCertificates.make(
                    nodeNames: self.names,
                    nodeAddresses: self.addresses,
                    clientName: self.clientName,
                    validDays: self.days
                )
                let files = try pki.write(to: self.out, overwrite: self.force)
                print("CA:     \(files.caCertificate) (key \(files.caPrivateKey))")
                print(
                    "node:   \(files.nodeCertificate) (key \(files.nodePrivateKey)) for \((self.names + self.addresses).joined(separator: ", "))"
                )
                print("client: \(files.clientCertificate) (key \(files.clientPrivateKey)) as \(self.clientName)")
            } catch {
                print("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
