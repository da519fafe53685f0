public import PostgresNIO

/// A `postgres://user:password@host:port/database` URL, parsed into postgres-nio's client
/// configuration. `?sslmode=require` asks for TLS; `disable` (the default on 127.0.0.1 and
/// localhost) turns it off; `prefer` is the default elsewhere.
///
/// ```swift
/// let url = try DatabaseURL("postgres://churnguard:secret@127.0.0.1:5432/churnguard")
/// let client = PostgresClient(configuration: url.configuration)
/// ```
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let username: String
    public let password: String?
    public private(set) var database: String
    public let sslMode: String

    /// Parses `text`.
    ///
    /// - Throws: ``RegistryError/Code/invalidRequest`` naming what is wrong (never echoing the password).
    public init(_ text: String) throws(RegistryError) {
        var rest = Substring(text)
        if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else if rest.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else {
            throw RegistryError(
                .invalidRequest,
                "a database URL starts with postgres:// (postgres://user:password@host:port/database)"
            )
        }
        var query = Substring("")
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let at = rest.lastIndex(of: "@") else {
            throw RegistryError(
                .invalidRequest,
                "the database URL names no user (postgres://user:password@host:port/database)"
            )
        }
        let credentials = rest[..<at]
        let location = rest[rest.index(after: at)...]
        let user: Substring
        var password: String?
        if let colon = credentials.firstIndex(of: ":") {
            user = credentials[..<colon]
            password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
        } else {
            user = credentials
        }
        guard !user.isEmpty else { throw RegistryError(.invalidRequest, "the database URL's user is empty") }
        guard let slash = location.firstIndex(of: "/") else {
            throw RegistryError(.invalidRequest, "the database URL names no database (…@host:port/database)")
        }
        let hostPort = location[..<slash]
        let database = location[location.index(after: slash)...]
        guard !database.isEmpty else { throw RegistryError(.invalidRequest, "the database URL's database is empty") }
        var host = hostPort
        var port = 5432
        if let colon = hostPort.lastIndex(of: ":") {
            host = hostPort[..<colon]
            guard let parsed = Int(hostPort[hostPort.index(after: colon)...]), (1...65_535).contains(parsed) else {
                throw RegistryError(.invalidRequest, "the database URL's port is not a number from 1 to 65535")
            }
            port = parsed
        }
        guard !host.isEmpty else { throw RegistryError(.invalidRequest, "the database URL's host is empty") }
        var sslMode = host == "127.0.0.1" || host == "localhost" || host == "::1" ? "disable" : "prefer"
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "sslmode" {
                guard ["disable", "prefer", "require"].contains(String(parts[1])) else {
                    throw RegistryError(.invalidRequest, "sslmode must be disable, prefer or require")
                }
                sslMode = String(parts[1])
            }
        }
        self.host = String(host)
        self.port = port
        self.username = Self.percentDecoded(user)
        self.password = password
        self.database = Self.percentDecoded(database)
        self.sslMode = sslMode
    }

    /// postgres-nio's client configuration for this URL.
    public var configuration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch self.sslMode {
            case "require": .require(.makeClientConfiguration())
            case "prefer": .prefer(.makeClientConfiguration())
            default: .disable
            }
        var configuration = PostgresClient.Configuration(
            host: self.host,
            port: self.port,
            username: self.username,
            password: self.password,
            database: self.database,
            tls: tls
        )
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// The same URL for another database on the same server.
    public func database(_ name: String) -> DatabaseURL {
        var copy = self
        copy.database = name
        return copy
    }

    /// The URL with its password, for handing to another process.
    public var urlString: String {
        let password = self.password.map { ":\(Self.percentEncoded($0))" } ?? ""
        return
            "postgres://\(Self.percentEncoded(self.username))\(password)@\(self.host):\(self.port)/\(Self.percentEncoded(self.database))"
    }

    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "-._~".unicodeScalars.contains(scalar)
            {
                result.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    /// The URL without its password, for logs and messages.
    public var description: String { "postgres://\(self.username)@\(self.host):\(self.port)/\(self.database)" }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
