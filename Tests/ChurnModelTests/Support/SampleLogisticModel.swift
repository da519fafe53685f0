import ChurnModel

/// A small logistic model (a numeric and a categorical feature) for the artifact and batch tests.
enum SampleLogisticModel {
    /// The model's coefficients.
    static func logistic() throws -> LogisticModel {
        try LogisticModel(
            featureCount: 2,
            intercept: -0.5,
            numeric: [.init(feature: 0, imputedValue: 30, mean: 31, scale: 20, coefficient: 0.8)],
            categorical: [.init(feature: 1, coefficients: [0.1, -0.3])]
        )
    }

    /// The trained model around ``logistic()``.
    static func model(riskBands: RiskBands) throws -> TrainedModel {
        let schema = try FeatureSchema([
            .numeric("days_inactive"), .categorical("product_group", vocabulary: ["a", "b"]),
        ])
        return try TrainedModel(
            name: "churn-lr",
            schema: schema,
            scorer: .logistic(try logistic()),
            riskBands: riskBands
        )
    }
}
