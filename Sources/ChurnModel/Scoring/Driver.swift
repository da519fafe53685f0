/// A feature that pushed a score up (positive contribution) or down, in raw-score (log-odds) units.
public struct Driver: Sendable, Hashable {
    /// The feature's index in the schema.
    public var feature: Int
    /// Its contribution to the raw score.
    public var contribution: Double
    /// The feature's value for this customer.
    public var value: Double

    public init(feature: Int, contribution: Double, value: Double) {
        self.feature = feature
        self.contribution = contribution
        self.value = value
    }

    /// The `k` features with the largest |contribution|, largest first; ties go to the lower
    /// feature index, so the order is deterministic. Zero contributions are never drivers.
    ///
    /// - Parameters:
    ///   - contributions: one per feature (a trailing expected-value slot, as TreeSHAP writes, is
    ///     ignored when `contributions` is one longer than `values`).
    ///   - values: the row's feature values.
    public static func top(_ k: Int, contributions: [Double], values: [Double]) -> [Driver] {
        var drivers: [Driver] = []
        guard k > 0 else { return drivers }
        drivers.reserveCapacity(k)
        for feature in 0..<min(values.count, contributions.count) {
            let contribution = contributions[feature]
            guard contribution != 0, !contribution.isNaN else { continue }
            let driver = Driver(feature: feature, contribution: contribution, value: values[feature])
            // Keep the k largest, in order: insertion into a short sorted list.
            var position = drivers.count
            while position > 0, abs(drivers[position - 1].contribution) < abs(contribution) { position -= 1 }
            if position < k {
                drivers.insert(driver, at: position)
                if drivers.count > k { drivers.removeLast() }
            }
        }
        return drivers
    }
}
