public import ChurnWire

/// The messages the wire benchmarks and the profiling loop measure: the shapes callers send and
/// receive on the scoring path.
public enum WireSamples {
    /// A request with 32 features.
    public static let request = ScoreRequest(
        crm: 4_711_000_815,
        productGroup: "fuel-cards",
        featureSchemaHash: 0x9E37_79B9_7F4A_7C15,
        features: (0..<32).map { Double($0) * 0.25 - 3 },
        topDrivers: 5,
        withOffer: true
    )

    /// A response with five drivers (names of 15 bytes or less, as the demo model's are).
    public static let response = ScoreResponse(
        crm: 4_711_000_815,
        productGroup: "fuel-cards",
        probability: 0.8125,
        riskBand: .high,
        ruleFlags: 3,
        drivers: ["days_inactive", "revenue_chg_3m", "kag_chg_3m", "complaints", "satisfaction"].enumerated().map {
            ScoreResponse.Driver(
                feature: UInt32($0),
                name: $1,
                contribution: 0.5 - Double($0) * 0.25,
                value: Double($0)
            )
        },
        model: ModelIdentity(
            name: "churn-gbdt",
            version: 7,
            alias: .production,
            featureSchemaHash: 0x9E37_79B9_7F4A_7C15
        ),
        baseValue: -1.25
    )

    /// A 1 MB batch: 5,000 rows × 25 features of two-decimal pseudo-random values, as exported
    /// revenue figures have (a repeating pattern would compress far better and flatter LZ4).
    public static func batch(rows: Int = 5_000, features: Int = 25) -> ScoreBatchRequest {
        var state: UInt64 = 42
        return ScoreBatchRequest(
            featureSchemaHash: 1,
            featureCount: UInt32(features),
            crms: (0..<rows).map { 10_000_000 + UInt64($0) * 13 },
            productGroup: "fuel-cards",
            features: (0..<rows * features).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Double(state >> 44) / 100
            }
        )
    }
}
