public import ChurnModel

/// The verified models one model name's aliases point at: what a scorer serves.
public struct RegistryModels: Sendable {
    /// A verified version.
    public struct Loaded: Sendable {
        public var version: Int
        public var model: TrainedModel
        /// Hex SHA-256 of its artifact.
        public var sha256: String
    }

    public var production: Loaded
    public var canary: Loaded?
    /// The canary's share of CRM numbers, in basis points.
    public var canaryBasisPoints: Int
    public var shadow: Loaded?

    public init(production: Loaded, canary: Loaded? = nil, canaryBasisPoints: Int = 0, shadow: Loaded? = nil) {
        self.production = production
        self.canary = canary
        self.canaryBasisPoints = canaryBasisPoints
        self.shadow = shadow
    }

    /// Versions and share, to tell whether anything changed.
    var signature: [Int] {
        [self.production.version, self.canary?.version ?? 0, self.canaryBasisPoints, self.shadow?.version ?? 0]
    }
}
