import ChurnModel
import ChurnWire
public import Logging
public import PostgresNIO

/// The model registry: immutable versions, the aliases that route traffic to them, and an
/// append-only audit log, all rows in PostgreSQL. Every change runs in one transaction that also
/// writes its audit row and notifies `churn_models` (payload: the model's name), which scorers
/// listen on. Every statement binds its values as parameters.
///
/// ```swift
/// let registry = ModelRegistry(client: client, logger: logger)
/// let published = try await registry.publish(artifactFile: bytes, actor: "ana", notes: "weekly retrain")
/// try await registry.promote(name: published.name, version: published.version, to: .canary, trafficBasisPoints: 500, actor: "ana")
/// ```
public struct ModelRegistry: Sendable {
    /// The channel scorers listen on.
    public static let channel = "churn_models"

    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    // MARK: Publishing

    /// Verifies an artifact (checksum, format, schema, parameters), records the golden inputs it
    /// scores, and stores it as the next version of its model's name.
    ///
    /// - Throws: ``RegistryError/Code/invalidArtifact`` for an artifact that does not load;
    ///   ``RegistryError/Code/unavailable`` when the database fails.
    public func publish(
        artifactFile bytes: [UInt8],
        actor: String,
        notes: String = ""
    ) async throws(RegistryError)
        -> ModelVersionRecord
    {
        let model: TrainedModel
        let golden: GoldenInputs
        do {
            model = try TrainedModel(artifactFile: bytes)
            golden = try GoldenInputs.make(for: model)
        } catch {
            throw RegistryError(.invalidArtifact, "the artifact is refused: \(error.message)")
        }
        let sha = Self.hex(SHA256.hash(bytes))
        let schema = Self.hex64(model.schema.hash)
        let format =
            switch model.scorer {
            case .logistic: "logistic"
            case .trees: "trees"
            }
        let metrics = Self.json(model.metrics)
        let name = model.name
        do {
            let version = try await self.client.withTransactionEndingAtClose(
                "publishing \(name)",
                logger: self.logger
            ) { connection in
                try await Self.lock(name, connection, self.logger)
                let next = try await Self.single(
                    connection.query(
                        "SELECT coalesce(max(version), 0) + 1 FROM model_versions WHERE name = \(name)",
                        logger: self.logger
                    ),
                    as: Int.self
                )
                try await connection.perform(
                    """
                    INSERT INTO model_versions (name, version, format, artifact, sha256, schema_hash, metrics,
                        golden_rows, golden_probabilities, created_by, notes)
                    VALUES (\(name), \(next), \(format), \(ByteBuffer(bytes: bytes)), \(sha), \(schema),
                        \(metrics)::jsonb, \(ByteBuffer(bytes: golden.encodedRows)),
                        \(ByteBuffer(bytes: golden.encodedProbabilities)), \(actor), \(notes))
                    """,
                    logger: self.logger
                )
                try await Self.audit(
                    connection,
                    self.logger,
                    actor: actor,
                    action: "publish",
                    name: name,
                    alias: nil,
                    from: nil,
                    to: next,
                    detail: "sha256 \(sha.prefix(12))…, \(bytes.count) bytes"
                )
                try await Self.notify(name, connection, self.logger)
                return next
            }
            return try await self.version(name: name, version: version)
        } catch {
            throw RegistryError.wrapping(error, "publishing \(name)")
        }
    }

    // MARK: Reading

    /// Every model name with its newest version, or every version of `name`, newest first.
    public func versions(name: String? = nil) async throws(RegistryError) -> [ModelVersionRecord] {
        do {
            let rows =
                if let name {
                    try await self.client.query(
                        "\(unescaped: Self.versionColumns) FROM model_versions WHERE name = \(name) ORDER BY version DESC",
                        logger: self.logger
                    )
                } else {
                    try await self.client.query(
                        "\(unescaped: Self.versionColumns) FROM model_versions ORDER BY name, version DESC",
                        logger: self.logger
                    )
                }
            return try await Self.versionRecords(rows)
        } catch {
            throw RegistryError.wrapping(error, "listing versions")
        }
    }

    /// One version's record.
    ///
    /// - Throws: ``RegistryError/Code/notFound``.
    public func version(name: String, version: Int) async throws(RegistryError) -> ModelVersionRecord {
        do {
            let rows = try await self.client.query(
                "\(unescaped: Self.versionColumns) FROM model_versions WHERE name = \(name) AND version = \(version)",
                logger: self.logger
            )
            guard let record = try await Self.versionRecords(rows).first else {
                throw RegistryError(.notFound, "\(name) has no version \(version)")
            }
            return record
        } catch {
            throw RegistryError.wrapping(error, "reading \(name) version \(version)")
        }
    }

    /// A version's artifact bytes and golden inputs.
    ///
    /// - Throws: ``RegistryError/Code/notFound``.
    public func artifact(name: String, version: Int) async throws(RegistryError) -> ModelArtifactRecord {
        do {
            let rows = try await self.client.query(
                """
                SELECT sha256, artifact, golden_rows, golden_probabilities FROM model_versions
                WHERE name = \(name) AND version = \(version)
                """,
                logger: self.logger
            )
            for try await (sha, artifact, goldenRows, goldenProbabilities) in rows.decode(
                (String, ByteBuffer, ByteBuffer, ByteBuffer).self
            ) {
                return ModelArtifactRecord(
                    name: name,
                    version: version,
                    sha256: sha,
                    artifact: Array(artifact.readableBytesView),
                    golden: try GoldenInputs(
                        encodedRows: Array(goldenRows.readableBytesView),
                        encodedProbabilities: Array(goldenProbabilities.readableBytesView)
                    )
                )
            }
            throw RegistryError(.notFound, "\(name) has no version \(version)")
        } catch {
            throw RegistryError.wrapping(error, "downloading \(name) version \(version)")
        }
    }

    /// The aliases of `name` (all models when nil).
    public func aliases(name: String? = nil) async throws(RegistryError) -> [AliasRecord] {
        do {
            let columns = """
                SELECT name, alias, version, traffic_bp,
                    to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), updated_by
                FROM model_aliases
                """
            let rows =
                if let name {
                    try await self.client.query(
                        "\(unescaped: columns) WHERE name = \(name) ORDER BY alias",
                        logger: self.logger
                    )
                } else {
                    try await self.client.query("\(unescaped: columns) ORDER BY name, alias", logger: self.logger)
                }
            var records: [AliasRecord] = []
            for try await (name, alias, version, traffic, at, by) in rows.decode(
                (String, String, Int, Int, String, String).self
            ) {
                guard let kind = AliasKind(rawValue: alias) else { continue }
                records.append(
                    AliasRecord(
                        name: name,
                        alias: kind,
                        version: version,
                        trafficBasisPoints: traffic,
                        updatedAt: at,
                        updatedBy: by
                    )
                )
            }
            return records
        } catch {
            throw RegistryError.wrapping(error, "reading aliases")
        }
    }

    /// The audit log of `name`, oldest first.
    public func history(name: String) async throws(RegistryError) -> [AuditRecord] {
        do {
            let rows = try await self.client.query(
                """
                SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), actor, action, name, alias,
                    from_version, to_version, detail
                FROM registry_audit WHERE name = \(name) ORDER BY id
                """,
                logger: self.logger
            )
            var records: [AuditRecord] = []
            for try await (id, at, actor, action, name, alias, from, to, detail) in rows.decode(
                (Int64, String, String, String, String, String?, Int?, Int?, String).self
            ) {
                records.append(
                    AuditRecord(
                        id: id,
                        at: at,
                        actor: actor,
                        action: action,
                        name: name,
                        alias: alias,
                        fromVersion: from,
                        toVersion: to,
                        detail: detail
                    )
                )
            }
            return records
        } catch {
            throw RegistryError.wrapping(error, "reading the history of \(name)")
        }
    }

    /// Two versions' metrics side by side: every metric either has, in name order.
    public func diff(
        name: String,
        _ a: Int,
        _ b: Int
    ) async throws(RegistryError) -> [(metric: String, a: Double?, b: Double?)] {
        _ = try await self.version(name: name, version: a)
        _ = try await self.version(name: name, version: b)
        do {
            let rows = try await self.client.query(
                """
                SELECT coalesce(x.key, y.key), x.value::float8, y.value::float8
                FROM (SELECT key, value FROM model_versions, jsonb_each_text(metrics) WHERE name = \(name) AND version = \(a)) x
                FULL JOIN (SELECT key, value FROM model_versions, jsonb_each_text(metrics) WHERE name = \(name) AND version = \(b)) y
                    ON x.key = y.key
                ORDER BY 1
                """,
                logger: self.logger
            )
            var result: [(metric: String, a: Double?, b: Double?)] = []
            for try await (metric, left, right) in rows.decode((String, Double?, Double?).self) {
                result.append((metric, left, right))
            }
            return result
        } catch {
            throw RegistryError.wrapping(error, "comparing \(name) versions \(a) and \(b)")
        }
    }

    // MARK: Changing aliases

    /// Points `alias` of `name` at `version`. Promoting to production also ends a canary or
    /// shadow of the same version (it is production now).
    ///
    /// - Parameters:
    ///   - trafficBasisPoints: the canary's share of CRM numbers (1…10,000); ignored otherwise.
    ///   - expectedSchemaHash: the feature schema the cluster serves; when nil, production's.
    /// - Throws: ``RegistryError/Code/notFound`` for a missing version;
    ///   ``RegistryError/Code/schemaMismatch`` (recorded in the audit log as `refused`) when the
    ///   version's features are not the cluster's; ``RegistryError/Code/invalidRequest`` for a
    ///   share out of range.
    @discardableResult
    public func promote(
        name: String,
        version: Int,
        to alias: AliasKind,
        trafficBasisPoints: Int = 10_000,
        expectedSchemaHash: UInt64? = nil,
        actor: String
    ) async throws(RegistryError) -> AliasRecord {
        let share = alias == .canary ? trafficBasisPoints : 10_000
        guard (1...10_000).contains(share) else {
            throw RegistryError(.invalidRequest, "a canary's share must be 1 to 10,000 basis points, not \(share)")
        }
        let target = try await self.version(name: name, version: version)
        let refusal: String?
        do {
            refusal = try await self.client.withTransactionEndingAtClose(
                "promoting \(name) version \(version)",
                logger: self.logger
            ) { connection -> String? in
                try await Self.lock(name, connection, self.logger)
                let production = try await Self.aliasVersion(name, .production, connection, self.logger)
                var expected = expectedSchemaHash
                var against = "the cluster's configured schema"
                if expected == nil, let production, production.version != version {
                    expected = production.schemaHash
                    against = "production (version \(production.version))"
                }
                if let expected, expected != target.schemaHash {
                    return
                        "version \(version)'s feature schema \(Self.hex64(target.schemaHash)) is not \(against)'s \(Self.hex64(expected))"
                }
                let previous = try await Self.aliasVersion(name, alias, connection, self.logger)
                try await connection.perform(
                    """
                    INSERT INTO model_aliases (name, alias, version, traffic_bp, updated_by)
                    VALUES (\(name), \(alias.rawValue), \(version), \(share), \(actor))
                    ON CONFLICT (name, alias) DO UPDATE
                        SET version = EXCLUDED.version, traffic_bp = EXCLUDED.traffic_bp,
                            updated_at = now(), updated_by = EXCLUDED.updated_by
                    """,
                    logger: self.logger
                )
                if alias == .production {
                    try await connection.perform(
                        "DELETE FROM model_aliases WHERE name = \(name) AND alias <> 'production' AND version = \(version)",
                        logger: self.logger
                    )
                }
                try await Self.audit(
                    connection,
                    self.logger,
                    actor: actor,
                    action: "promote",
                    name: name,
                    alias: alias.rawValue,
                    from: previous?.version,
                    to: version,
                    detail: alias == .canary ? "\(share) bp" : ""
                )
                try await Self.notify(name, connection, self.logger)
                return nil
            }
        } catch {
            throw RegistryError.wrapping(error, "promoting \(name) version \(version)")
        }
        if let refusal {
            try await self.recordRefusal(
                name: name,
                alias: alias.rawValue,
                version: version,
                actor: actor,
                reason: refusal
            )
            throw RegistryError(.schemaMismatch, "promotion refused: \(refusal)")
        }
        guard let record = try await self.aliases(name: name).first(where: { $0.alias == alias }) else {
            throw RegistryError(.conflict, "\(name)'s \(alias.rawValue) alias changed while it was being promoted")
        }
        return record
    }

    /// Points production back at the version it had before its last change (an undo: rolling
    /// back twice returns to where it started).
    ///
    /// - Throws: ``RegistryError/Code/notFound`` without a production version;
    ///   ``RegistryError/Code/invalidRequest`` when production has no earlier version.
    @discardableResult
    public func rollback(name: String, actor: String) async throws(RegistryError) -> AliasRecord {
        do {
            try await self.client.withTransactionEndingAtClose("rolling back \(name)", logger: self.logger) {
                connection in
                try await Self.lock(name, connection, self.logger)
                guard let current = try await Self.aliasVersion(name, .production, connection, self.logger) else {
                    throw RegistryError(.notFound, "\(name) has no production version to roll back")
                }
                let rows = try await connection.query(
                    """
                    SELECT from_version FROM registry_audit
                    WHERE name = \(name) AND alias = 'production' AND action IN ('promote', 'rollback')
                        AND to_version = \(current.version)
                    ORDER BY id DESC LIMIT 1
                    """,
                    logger: self.logger
                )
                var previous: Int?
                for try await from in rows.decode(Int?.self) { previous = from }
                guard let previous else {
                    throw RegistryError(
                        .invalidRequest,
                        "\(name)'s production version \(current.version) was its first: there is nothing to roll back to"
                    )
                }
                try await connection.perform(
                    """
                    UPDATE model_aliases SET version = \(previous), updated_at = now(), updated_by = \(actor)
                    WHERE name = \(name) AND alias = 'production'
                    """,
                    logger: self.logger
                )
                try await Self.audit(
                    connection,
                    self.logger,
                    actor: actor,
                    action: "rollback",
                    name: name,
                    alias: "production",
                    from: current.version,
                    to: previous,
                    detail: ""
                )
                try await Self.notify(name, connection, self.logger)
            }
        } catch {
            throw RegistryError.wrapping(error, "rolling back \(name)")
        }
        guard let record = try await self.aliases(name: name).first(where: { $0.alias == .production }) else {
            throw RegistryError(.conflict, "\(name)'s production alias disappeared during the rollback")
        }
        return record
    }

    /// Ends a canary or a shadow.
    ///
    /// - Throws: ``RegistryError/Code/invalidRequest`` for production (roll back or promote
    ///   instead); ``RegistryError/Code/notFound`` when the alias is not set.
    public func clear(name: String, alias: AliasKind, actor: String) async throws(RegistryError) {
        guard alias != .production else {
            throw RegistryError(.invalidRequest, "production cannot be cleared: promote another version or roll back")
        }
        do {
            try await self.client.withTransactionEndingAtClose(
                "clearing \(name)'s \(alias.rawValue)",
                logger: self.logger
            ) { connection in
                try await Self.lock(name, connection, self.logger)
                guard let current = try await Self.aliasVersion(name, alias, connection, self.logger) else {
                    throw RegistryError(.notFound, "\(name) has no \(alias.rawValue)")
                }
                try await connection.perform(
                    "DELETE FROM model_aliases WHERE name = \(name) AND alias = \(alias.rawValue)",
                    logger: self.logger
                )
                try await Self.audit(
                    connection,
                    self.logger,
                    actor: actor,
                    action: "clear",
                    name: name,
                    alias: alias.rawValue,
                    from: current.version,
                    to: nil,
                    detail: ""
                )
                try await Self.notify(name, connection, self.logger)
            }
        } catch {
            throw RegistryError.wrapping(error, "clearing \(name)'s \(alias.rawValue)")
        }
    }

    /// Appends a refusal to the audit log: a promotion refused here, or a version a scorer
    /// would not serve (`action` `swap-refused`).
    public func recordRefusal(
        name: String,
        alias: String?,
        version: Int,
        actor: String,
        reason: String,
        action: String = "refused"
    ) async throws(RegistryError) {
        do {
            try await self.client.withConnection { connection in
                try await Self.audit(
                    connection,
                    self.logger,
                    actor: actor,
                    action: action,
                    name: name,
                    alias: alias,
                    from: nil,
                    to: version,
                    detail: reason
                )
            }
        } catch {
            throw RegistryError.wrapping(error, "recording a refusal")
        }
    }

    // MARK: Statements

    static let versionColumns = """
        SELECT name, version, format, sha256, schema_hash, octet_length(artifact),
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), created_by, notes
        """

    static func versionRecords(_ rows: PostgresRowSequence) async throws -> [ModelVersionRecord] {
        var records: [ModelVersionRecord] = []
        for try await (name, version, format, sha, schema, size, at, by, notes) in rows.decode(
            (String, Int, String, String, String, Int, String, String, String).self
        ) {
            records.append(
                ModelVersionRecord(
                    name: name,
                    version: version,
                    format: format,
                    sha256: sha,
                    schemaHash: UInt64(schema, radix: 16) ?? 0,
                    artifactBytes: size,
                    createdAt: at,
                    createdBy: by,
                    notes: notes
                )
            )
        }
        return records
    }

    /// Serialises changes to one model's rows (publish numbering, alias moves).
    static func lock(_ name: String, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.perform("SELECT pg_advisory_xact_lock(hashtext(\(name)))::text", logger: logger)
    }

    static func notify(_ name: String, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.perform("SELECT pg_notify(\(Self.channel), \(name))::text", logger: logger)
    }

    static func aliasVersion(
        _ name: String,
        _ alias: AliasKind,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> (version: Int, schemaHash: UInt64)? {
        let rows = try await connection.query(
            """
            SELECT a.version, v.schema_hash FROM model_aliases a
            JOIN model_versions v ON v.name = a.name AND v.version = a.version
            WHERE a.name = \(name) AND a.alias = \(alias.rawValue)
            """,
            logger: logger
        )
        for try await (version, schema) in rows.decode((Int, String).self) {
            return (version, UInt64(schema, radix: 16) ?? 0)
        }
        return nil
    }

    static func audit(
        _ connection: PostgresConnection,
        _ logger: Logger,
        actor: String,
        action: String,
        name: String,
        alias: String?,
        from: Int?,
        to: Int?,
        detail: String
    ) async throws {
        try await connection.perform(
            """
            INSERT INTO registry_audit (actor, action, name, alias, from_version, to_version, detail)
            VALUES (\(actor), \(action), \(name), \(alias), \(from), \(to), \(detail))
            """,
            logger: logger
        )
    }

    static func single<T: PostgresDecodable & Sendable>(_ rows: PostgresRowSequence, as type: T.Type) async throws -> T
    {
        for try await value in rows.decode(T.self) { return value }
        throw RegistryError(.unavailable, "the database returned no row")
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return text
    }

    static func hex64(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    /// Metrics as a JSON object; non-finite values as null.
    static func json(_ metrics: [TrainedModel.Metric]) -> String {
        var parts: [String] = []
        for metric in metrics {
            var key = "\""
            for scalar in metric.name.unicodeScalars {
                switch scalar {
                case "\"": key += "\\\""
                case "\\": key += "\\\\"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        key += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        key.unicodeScalars.append(scalar)
                    }
                }
            }
            key += "\""
            parts.append("\(key): \(metric.value.isFinite ? "\(metric.value)" : "null")")
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
