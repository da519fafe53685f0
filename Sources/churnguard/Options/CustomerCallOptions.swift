import ArgumentParser
import ChurnClient
import ChurnTransport

/// What a one-off call about one customer needs: the scorer, TLS, the customer, a deadline and
/// the output form (`churnguard score`, `churnguard trend`).
struct CustomerCallOptions: ParsableArguments {
    @Option(help: "The scorer, host:port.")
    var address = "127.0.0.1:7443"

    @OptionGroup var tls: ClientTLSOptions

    @Option(help: "The customer's CRM number.")
    var crm: UInt64

    @Option(help: "The product group.")
    var productGroup = ""

    @Option(help: "How long to wait, in milliseconds.")
    var timeoutMs = 2000

    @Flag(help: "Print the answer as the wire's JSON form instead.")
    var json = false

    /// One connection to the scorer, with the deadline as every call's default.
    func clientConfiguration() throws -> ChurnClientConfiguration {
        ChurnClientConfiguration(
            target: try RPCConnection.Target(parsing: self.address),
            tls: try self.tls.clientTLS(),
            connections: 1,
            defaultTimeout: .milliseconds(self.timeoutMs)
        )
    }
}
