import ChurnCertificates
import ChurnTesting
import ChurnWire
import NIOCore
import Testing

@testable import ChurnTransport

@Suite("Mutual TLS", .onOwnEventLoops)
struct MutualTLSTests {
    @Test("with mutual TLS on, a caller without a certificate is refused and one with a certificate is served")
    func clientWithoutCertificate() async throws {
        let pki = try TestCertificates()
        defer { pki.remove() }
        try await withTestServer(router: EchoService().router, tls: pki.serverTLS(mutualTLS: true)) { port in
            await #expect(throws: RPCError.self) {
                let connection = try await connect(port, tls: pki.clientTLS(presentCertificate: false))
                defer { connection.close() }
                // TLS 1.3 clients finish their handshake before the server checks them: the
                // refusal arrives with the first call at the latest.
                _ = try await connection.unary(HealthService.check, HealthRequest(), timeout: .seconds(5))
            }
            let good = try await connect(port, tls: pki.clientTLS())
            defer { good.close() }
            #expect(try await good.unary(HealthService.check, HealthRequest()).state == .serving)
        }
    }

    @Test("a certificate from another CA is refused")
    func certificateFromAnotherCA() async throws {
        let pki = try TestCertificates()
        let stranger = try TestCertificates()
        defer {
            pki.remove()
            stranger.remove()
        }
        try await withTestServer(router: EchoService().router, tls: pki.serverTLS(mutualTLS: true)) { port in
            var tls = stranger.clientTLS()
            tls.trustRoots = pki.files.caCertificate
            await #expect(throws: RPCError.self) {
                let connection = try await connect(port, tls: tls)
                defer { connection.close() }
                _ = try await connection.unary(HealthService.check, HealthRequest(), timeout: .seconds(5))
            }
        }
    }

    @Test("a client that does not trust the server's CA fails with the TLS reason, not a closed stream")
    func untrustedServer() async throws {
        let pki = try TestCertificates()
        let other = try TestCertificates()
        defer {
            pki.remove()
            other.remove()
        }
        try await withTestServer(router: EchoService().router, tls: pki.serverTLS(mutualTLS: false)) { port in
            do {
                let connection = try await connect(port, tls: other.clientTLS(presentCertificate: false))
                connection.close()
                Issue.record("connected to a server whose CA is not trusted")
            } catch let error as RPCError {
                #expect(error.status == .unavailable)
                #expect("\(error)".contains("TLS"))
            }
        }
    }

    @Test("the server's name is checked: a certificate for localhost does not pass as another host")
    func wrongServerName() async throws {
        // No IP entry: with one, NIOSSL accepts the certificate for any name (STACK-NOTES.md).
        let pki = try TestCertificates(nodeAddresses: [])
        defer { pki.remove() }
        try await withTestServer(router: EchoService().router, tls: pki.serverTLS(mutualTLS: false)) { port in
            var tls = pki.clientTLS(presentCertificate: false)
            tls.serverName = "localhost"
            let right = try await connect(port, tls: tls)
            right.close()
            tls.serverName = "scorer.example.com"
            await #expect(throws: RPCError.self) {
                let connection = try await connect(port, tls: tls)
                connection.close()
            }
        }
    }

    @Test("unreadable TLS files are refused at start with the file named")
    func badFiles() throws {
        let tls = ServerTLS(certificateChain: "/nonexistent/node.pem", privateKey: "/nonexistent/node.key")
        #expect {
            _ = try RPCServer(
                configuration: RPCServerConfiguration(tls: tls),
                router: RPCRouter(),
                logger: quietLogger()
            )
        } throws: { error in
            guard let error = error as? TransportError else { return false }
            return error.code == .invalidTLSConfiguration && error.message.contains("/nonexistent/node.pem")
        }
    }
}
