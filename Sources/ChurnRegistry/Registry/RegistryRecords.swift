/// Where a version serves: production, a canary share of customers, or a shadow beside production.
public enum AliasKind: String, Sendable, Hashable, CaseIterable {
    case production, canary, shadow
}

/// One published model version, without its artifact bytes.
public struct ModelVersionRecord: Sendable, Hashable {
    public var name: String
    public var version: Int
    /// `logistic` or `trees`.
    public var format: String
    /// Hex SHA-256 of the artifact file.
    public var sha256: String
    public var schemaHash: UInt64
    public var artifactBytes: Int
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public var createdAt: String
    public var createdBy: String
    public var notes: String
}

/// What an alias points at.
public struct AliasRecord: Sendable, Hashable {
    public var name: String
    public var alias: AliasKind
    public var version: Int
    /// The canary's share of CRM numbers in basis points (10,000 for production and shadow).
    public var trafficBasisPoints: Int
    public var updatedAt: String
    public var updatedBy: String
}

/// One row of the append-only audit log.
public struct AuditRecord: Sendable, Hashable {
    public var id: Int64
    public var at: String
    public var actor: String
    /// `publish`, `promote`, `rollback`, `clear`, `refused`, `swap-refused`.
    public var action: String
    public var name: String
    public var alias: String?
    public var fromVersion: Int?
    public var toVersion: Int?
    public var detail: String
}

/// A version's artifact and the golden inputs a scorer checks before serving it.
public struct ModelArtifactRecord: Sendable {
    public var name: String
    public var version: Int
    public var sha256: String
    public var artifact: [UInt8]
    public var golden: GoldenInputs
}
