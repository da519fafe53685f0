/// Request rows for load: seeded, so every target in a run (ChurnGuard and its peers) scores the
/// same rows in the same order.
public enum FeatureRows {
    /// `count` rows of the demo model's ten features (the order of `FeatureDerivation.schema`),
    /// spread over the ranges `churnguard demo-data` produces, from steady customers to leavers.
    public static func demo(count: Int, seed: UInt64 = 42) -> [[Double]] {
        var state = seed
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / 9_007_199_254_740_992.0
        }
        return (0..<count).map { _ in
            let risk = uniform()
            let daysSincePurchase = (risk * risk * 150).rounded()
            let purchaseDays = 6 + (uniform() * 90).rounded()
            let revenue = (2_000 + uniform() * 30_000).rounded()
            let revenueTrend = 0.1 - risk * 0.5 + uniform() * 0.1
            let volumeTrend = 0.05 - risk * 0.4 + uniform() * 0.1
            let volatility = uniform() * 0.1
            let discountShare = uniform() * 0.08
            let complaintShare = risk * uniform() * 0.8
            let satisfaction = 4.8 - risk * 3 + uniform() * 0.4
            let calls = (uniform() * risk * 8).rounded()
            return [
                daysSincePurchase, purchaseDays, revenue, revenueTrend, volumeTrend,
                volatility, discountShare, complaintShare, satisfaction, calls,
            ]
        }
    }
}
