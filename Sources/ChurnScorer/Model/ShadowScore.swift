public import ChurnWire

/// A unary call scored by production and, beside it, by the shadow version; the caller got
/// production's answer. Handed to a recorder (`ShadowRecorder` in the registry) for
/// `churnguard model compare-shadow`.
public struct ShadowScore: Sendable {
    public var crm: UInt64
    public var production: ModelIdentity
    public var shadow: ModelIdentity
    public var productionProbability: Double
    public var shadowProbability: Double
}
