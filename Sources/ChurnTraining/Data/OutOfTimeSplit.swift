/// Splits rows by the period they were observed in, never by chance: the model is tested on the
/// latest periods and trained only on rows whose labels were known before the test period began.
///
/// A row observed in period `p` is labelled by what the customer did in the `horizonMonths`
/// months after `p`. To keep any of the test periods' outcomes out of training, training (and
/// validation) rows must satisfy `p + horizonMonths <= firstTestPeriod`; rows in between are
/// dropped. The last `validationPeriods` of the trainable periods are held out for early stopping
/// and for choosing the risk-band cut-offs.
///
/// ```
/// periods:  … 2024-09 2024-10 │ 2024-11 2024-12 (gap) │ 2025-01 2025-02 (test)
///           train …  validation│                        │
/// ```
public struct OutOfTimeSplit: Sendable, Hashable {
    /// How the periods are divided.
    public struct Configuration: Sendable, Hashable {
        /// The latest distinct periods tested on. Default 2.
        public var testPeriods: Int
        /// The latest trainable periods used for validation. Default 1.
        public var validationPeriods: Int
        /// How far ahead labels look, in months (the prediction horizon). Default 3.
        public var horizonMonths: Int

        public init(testPeriods: Int = 2, validationPeriods: Int = 1, horizonMonths: Int = 3) {
            self.testPeriods = testPeriods
            self.validationPeriods = validationPeriods
            self.horizonMonths = horizonMonths
        }

        /// The defaults stated on each property.
        public static var defaults: Configuration { Configuration() }
    }

    /// Row indices, in row order.
    public let training: [Int]
    public let validation: [Int]
    public let test: [Int]
    /// Distinct periods of each part, ascending.
    public let trainingPeriods: [Int]
    public let validationPeriods: [Int]
    public let testPeriods: [Int]
    /// Periods whose rows were dropped to keep the test outcomes out of training.
    public let gapPeriods: [Int]

    /// Splits rows observed in `periods`.
    ///
    /// - Throws: ``TrainingError/Code/notEnoughData`` when there are too few distinct periods to
    ///   have training, validation and test periods with the gap between them.
    public init(periods: [Int], configuration: Configuration = .defaults) throws(TrainingError) {
        guard configuration.testPeriods >= 1, configuration.validationPeriods >= 0,
            configuration.horizonMonths >= 0
        else {
            throw TrainingError(.invalidData, "test periods must be ≥ 1, validation periods and horizon ≥ 0")
        }
        let distinct = Set(periods).sorted()
        guard distinct.count > configuration.testPeriods else {
            throw TrainingError(
                .notEnoughData,
                "\(distinct.count) distinct periods: need more than the \(configuration.testPeriods) tested on"
            )
        }
        let test = Array(distinct.suffix(configuration.testPeriods))
        let firstTest = test[0]
        let trainable = distinct.filter { $0 + configuration.horizonMonths <= firstTest }
        guard trainable.count > configuration.validationPeriods else {
            throw TrainingError(
                .notEnoughData,
                "no period ends its \(configuration.horizonMonths)-month label horizon before the test period \(TrainingSet.periodText(firstTest)) with \(configuration.validationPeriods) validation period(s) left over"
            )
        }
        let validation = Array(trainable.suffix(configuration.validationPeriods))
        let training = Array(trainable.dropLast(configuration.validationPeriods))
        let trainingSet = Set(training)
        let validationSet = Set(validation)
        let testSet = Set(test)
        self.trainingPeriods = training
        self.validationPeriods = validation
        self.testPeriods = test
        self.gapPeriods = distinct.filter { $0 < firstTest && $0 + configuration.horizonMonths > firstTest }
        self.training = periods.indices.filter { trainingSet.contains(periods[$0]) }
        self.validation = periods.indices.filter { validationSet.contains(periods[$0]) }
        self.test = periods.indices.filter { testSet.contains(periods[$0]) }
    }
}
