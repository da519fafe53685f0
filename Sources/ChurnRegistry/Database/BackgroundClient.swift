internal import Logging
internal import PostgresNIO

extension Logger {
    /// This logger at `error` or above: what a long-lived PostgreSQL client of a service logs
    /// itself (each reconnection attempt of an outage would otherwise be a warning line).
    var quietened: Logger {
        var quiet = self
        quiet.logLevel = max(self.logLevel, .error)
        return quiet
    }
}

extension PostgresClient {
    /// A long-lived client for a service's work at `url`, logging only errors of its own.
    static func background(_ url: DatabaseURL, logger: Logger) -> PostgresClient {
        PostgresClient(configuration: url.configuration, backgroundLogger: logger.quietened)
    }
}
