extension TrainedModel {
    /// A fixed logistic model over the derived features (``FeatureDerivation/schema``), with
    /// hand-set, plausible coefficients: inactivity, falling revenue and KAG, complaints and low
    /// satisfaction raise the risk. It serves the demo and the transport's tests (whose golden
    /// answers depend on it never changing); real models come from `churnguard train` or a
    /// LightGBM import.
    public static func demo() -> TrainedModel {
        // (feature, mean, scale, coefficient on the standardized value)
        let terms: [(String, Double, Double, Double)] = [
            ("days_inactive", 30, 35, 1.1),
            ("contract_months", 36, 24, -0.4),
            ("revenue_3m", 15_000, 12_000, -0.3),
            ("revenue_change_3m", 0, 0.2, -0.9),
            ("kag_change_3m", 0, 0.15, -0.6),
            ("discount_rate", 0.05, 0.04, 0.2),
            ("return_rate", 0.03, 0.03, 0.35),
            ("complaint_rate", 0.1, 0.15, 0.5),
            ("satisfaction", 3.6, 0.9, -0.7),
            ("call_center_contacts", 2, 2, 0.3),
        ]
        let schema = FeatureDerivation.schema
        let numeric = terms.map { name, mean, scale, coefficient in
            LogisticModel.NumericTerm(
                feature: schema.index(of: name)!,
                imputedValue: mean,
                mean: mean,
                scale: scale,
                coefficient: coefficient
            )
        }
        // The parameters above are valid by construction; a failure here is a bug in them.
        let logistic = try! LogisticModel(
            featureCount: schema.features.count,
            intercept: -2,
            numeric: numeric,
            categorical: []
        )
        return try! TrainedModel(
            name: "churn-demo",
            schema: schema,
            scorer: .logistic(logistic),
            riskBands: try! RiskBands(medium: 0.2, high: 0.4, critical: 0.7),
            metrics: [],
            createdAtMs: 1_795_000_000_000
        )
    }
}
