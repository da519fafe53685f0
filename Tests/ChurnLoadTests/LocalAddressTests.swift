import ChurnLoad
import Testing

@Suite("Local addresses")
struct LocalAddressTests {
    @Test(
        "an address on this machine's loopback is accepted",
        arguments: [
            ("127.0.0.1:7443", "127.0.0.1", 7443),
            ("127.5.6.7:1", "127.5.6.7", 1),
            ("[::1]:7443", "::1", 7443),
            ("[::ffff:127.0.0.1]:80", "::ffff:127.0.0.1", 80),
            ("localhost:8000", "localhost", 8000),
            ("LocalHost:8000", "LocalHost", 8000),
        ]
    )
    func accepted(text: String, host: String, port: Int) throws {
        let address = try LocalAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
    }

    @Test(
        "an address elsewhere, a name other than localhost, or not host:port is refused before anything connects",
        arguments: [
            ("10.1.2.3:7443", "'10.1.2.3:7443' is not on this machine"),
            ("8.8.8.8:80", "is not on this machine"),
            ("0.0.0.0:7443", "is not on this machine"),
            ("[2001:db8::1]:443", "is not on this machine"),
            ("[::ffff:10.0.0.1]:443", "is not on this machine"),
            ("example.com:443", "is not on this machine"),
            ("localhost.example.com:443", "is not on this machine"),
            ("127.0.0.1", "is not host:port"),
            ("127.0.0.1:0", "with a port from 1 to 65535"),
        ]
    )
    func refused(text: String, message: String) {
        #expect {
            _ = try LocalAddress(parsing: text)
        } throws: { error in
            (error as? LoadError)?.message.contains(message) == true
        }
    }
}
