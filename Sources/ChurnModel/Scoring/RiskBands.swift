/// A score's risk band.
public enum RiskBand: UInt32, Sendable, Hashable, CaseIterable, Comparable {
    // The numbers are the wire's RiskBand values.
    case low = 1
    case medium = 2
    case high = 3
    case critical = 4

    public static func < (lhs: RiskBand, rhs: RiskBand) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Probability cut-offs between risk bands, chosen at training and stored with the model.
///
/// A probability below `medium` is low, below `high` medium, below `critical` high, else critical.
public struct RiskBands: Sendable, Hashable {
    /// The lowest probability that is medium risk.
    public let medium: Double
    /// The lowest probability that is high risk.
    public let high: Double
    /// The lowest probability that is critical risk.
    public let critical: Double

    /// Makes cut-offs.
    ///
    /// - Throws: ``ModelError/Code/malformedModel`` unless `0 < medium < high < critical < 1`.
    public init(medium: Double, high: Double, critical: Double) throws(ModelError) {
        guard medium > 0, medium < high, high < critical, critical < 1 else {
            throw ModelError(
                .malformedModel,
                "risk band cut-offs must rise strictly within (0, 1); got \(medium), \(high), \(critical)"
            )
        }
        self.medium = medium
        self.high = high
        self.critical = critical
    }

    /// The band of a probability. NaN (no usable score) is reported as low: no action is taken
    /// on a score that does not exist.
    public func band(of probability: Double) -> RiskBand {
        if probability >= self.critical { return .critical }
        if probability >= self.high { return .high }
        if probability >= self.medium { return .medium }
        return .low
    }
}
