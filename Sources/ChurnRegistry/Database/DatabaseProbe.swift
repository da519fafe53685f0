public import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection made and closed at once, to say whether the database at a URL takes
/// connections and, when it does not, why.
///
/// A command should fail fast and say what is wrong. Through PostgresNIO's pool it cannot: while
/// the pool cannot connect it holds a query until its circuit breaker opens (a minute), and then
/// reports only that the breaker tripped. A single connection fails at once with the cause:
/// connection refused, authentication failed, no such database.
public enum DatabaseProbe {
    /// Connects to `url`, then disconnects. The connection attempt waits at most the URL's
    /// connect timeout, or `limit` when that is shorter. An attempt that times out returns
    /// without an error: on a loaded machine a healthy server can be that slow to answer, and
    /// the pool that follows retries where one connection cannot.
    ///
    /// - Throws: ``RegistryError/Code/unavailable`` with the server's or the socket's reason
    ///   when the connection is refused or fails.
    public static func check(
        _ url: DatabaseURL,
        within limit: Duration? = nil,
        logger: Logger
    ) async throws(RegistryError) {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try Self.configuration(url, within: limit),
                id: 1,
                logger: logger
            )
        } catch {
            if Self.timedOut(error) { return }
            throw RegistryError(.unavailable, "cannot connect to the database at \(url): \(Self.reason(error))")
        }
        try? await connection.close()
    }

    /// The URL's settings for one connection (the pool's, the same TLS mode and connect timeout).
    static func configuration(_ url: DatabaseURL, within limit: Duration?) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch url.sslMode {
            case "require": .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case "prefer": .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: .disable
            }
        var configuration = PostgresConnection.Configuration(
            host: url.host,
            port: url.port,
            username: url.username,
            password: url.password,
            database: url.database,
            tls: tls
        )
        let timeout = url.configuration.options.connectTimeout
        configuration.options.connectTimeout = TimeAmount(limit.map { min($0, timeout) } ?? timeout)
        return configuration
    }

    /// Whether the attempt ran out of time rather than failing.
    static func timedOut(_ error: any Error) -> Bool {
        if let postgres = error as? PSQLError { return postgres.underlying.map(Self.timedOut) ?? false }
        if case .connectTimeout = error as? ChannelError { return true }
        return false
    }

    /// What went wrong, in words: the server's message, else the socket's error.
    static func reason(_ error: any Error) -> String {
        if let postgres = error as? PSQLError {
            if let message = postgres.serverInfo?[.message] { return message }
            return postgres.underlying.map(Self.reason) ?? "\(postgres.code)"
        }
        if let connection = error as? NIOConnectionError {
            return connection.connectionErrors.first.map { Self.reason($0.error) } ?? "\(error)"
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return "\(error)"
    }
}
