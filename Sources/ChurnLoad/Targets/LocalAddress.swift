internal import ChurnTransport
internal import NIOCore

/// A `host:port` the harness may load: a server on this machine's loopback (`127.0.0.0/8`,
/// `::1`, or `localhost`). Load at a fixed rate, whatever the server answers, is an attack on
/// anything else, so an address elsewhere is refused before a connection is made. (The project's
/// own network namespaces, once the cluster adds them, are the other place it may go.)
///
/// ```swift
/// let scorer = try LocalAddress(parsing: "127.0.0.1:7443")
/// ```
public struct LocalAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host as given: a loopback IP address or `localhost`.
    public let host: String
    public let port: Int

    /// Parses `host:port` (IPv6 as `[::1]:7443`) and checks that the host is on the loopback.
    ///
    /// - Throws: ``LoadError`` when the text is not `host:port`, or the host is not a loopback
    ///   address: a name other than `localhost` is refused too, since what it resolves to can
    ///   change.
    public init(parsing text: String) throws(LoadError) {
        let target: RPCConnection.Target
        do {
            target = try RPCConnection.Target(parsing: text)
        } catch {
            throw LoadError(error.message)
        }
        guard Self.isLoopback(target.host) else {
            throw LoadError(
                "'\(text)' is not on this machine: churnbench loads only servers on the loopback "
                    + "(127.0.0.0/8, ::1 or localhost)"
            )
        }
        self.host = target.host
        self.port = target.port
    }

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }

    /// Whether `host` is `localhost` or an IP address of the loopback (IPv4-mapped included).
    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        guard let address = try? SocketAddress(ipAddress: host, port: 0), let canonical = address.ipAddress else {
            return false
        }
        switch address {
        case .v4: return canonical.hasPrefix("127.")
        case .v6: return canonical == "::1" || canonical.hasPrefix("::ffff:127.")
        default: return false
        }
    }
}
