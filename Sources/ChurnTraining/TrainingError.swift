/// A typed error from training: data that cannot be trained on, or a fit that failed.
///
/// `description` says what is wrong and where (column, line, period); it never holds a row's values.
public struct TrainingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem. An open set: new codes break no caller.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Wrapped: Sendable, Hashable { case invalidData, notEnoughData, unsupported, didNotConverge }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The training data is malformed: a missing column, a label that is not 0 or 1, a bad period.
        public static let invalidData = Code(.invalidData)
        /// Too few rows, periods or classes to train or to split without leakage.
        public static let notEnoughData = Code(.notEnoughData)
        /// A valid request this trainer does not do (such as categorical features in boosting).
        public static let unsupported = Code(.unsupported)
        /// The optimiser did not reach its tolerance within its iteration budget.
        public static let didNotConverge = Code(.didNotConverge)

        public var description: String {
            switch self.wrapped {
            case .invalidData: "invalid training data"
            case .notEnoughData: "not enough data"
            case .unsupported: "unsupported"
            case .didNotConverge: "did not converge"
            }
        }
    }

    /// What kind of problem this is.
    public var code: Code
    /// What is wrong and where, for a person.
    public var message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.code): \(self.message)" }
}
