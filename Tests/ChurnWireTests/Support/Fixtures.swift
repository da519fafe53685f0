import ChurnWire

/// Typical messages of the scoring path, as callers send them.
enum Fixtures {
    /// A request with `featureCount` features (the benchmark's shape is 32).
    static func scoreRequest(featureCount: Int = 32) -> ScoreRequest {
        ScoreRequest(
            crm: 4_711_000_815,
            productGroup: "fuel-cards",
            featureSchemaHash: 0x9E37_79B9_7F4A_7C15,
            features: (0..<featureCount).map { Double($0) * 0.25 - 3 },
            topDrivers: 5,
            withOffer: true
        )
    }

    /// A streamed batch frame of `rows` rows of four features, large enough to be compressed.
    static func batchRequest(rows: Int) -> ScoreBatchRequest {
        ScoreBatchRequest(
            featureSchemaHash: 77,
            featureCount: 4,
            crms: (0..<UInt64(rows)).map { 1_000_000 + $0 },
            productGroup: "fuel-cards",
            features: (0..<rows * 4).map { Double($0 % 17) * 0.5 }
        )
    }

    /// A response with five drivers.
    static func scoreResponse() -> ScoreResponse {
        let names = ["days_inactive", "revenue_chg_3m", "kag_chg_3m", "complaints", "satisfaction"]
        return ScoreResponse(
            crm: 4_711_000_815,
            productGroup: "fuel-cards",
            probability: 0.8125,
            riskBand: .high,
            ruleFlags: 1 << RuleFlag.inactive.rawValue | 1 << RuleFlag.revenueDecrease.rawValue,
            drivers: names.enumerated().map { index, name in
                ScoreResponse.Driver(
                    feature: UInt32(index),
                    name: name,
                    contribution: 0.5 - Double(index) * 0.25,
                    value: Double(index * 10)
                )
            },
            model: ModelIdentity(
                name: "churn-gbdt",
                version: 7,
                alias: .production,
                featureSchemaHash: 0x9E37_79B9_7F4A_7C15
            ),
            offer: nil,
            baseValue: -1.25
        )
    }
}
