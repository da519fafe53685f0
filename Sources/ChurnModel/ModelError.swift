/// A typed error from building, importing or evaluating a model: a model file that is not what it
/// claims, or an input row that does not fit the model.
///
/// `description` names the problem and where (file line, tree, node); it never holds feature values.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem. An open set: new codes break no caller.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Wrapped: Sendable, Hashable {
            case malformedModel, unsupportedModel, inconsistentTree, featureCountMismatch, invalidHistory, invalidInput
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The model text cannot be read: a missing key, a bad number, a list of the wrong length.
        public static let malformedModel = Code(.malformedModel)
        /// The model is valid but uses something ChurnGuard does not score (multiclass, linear trees…).
        public static let unsupportedModel = Code(.unsupportedModel)
        /// A tree's structure is broken: a child out of range, a node reached twice, a bad category set.
        public static let inconsistentTree = Code(.inconsistentTree)
        /// A row has another number of features than the model reads.
        public static let featureCountMismatch = Code(.featureCountMismatch)
        /// A customer history cannot be turned into features: future-dated, repeated or unordered months.
        public static let invalidHistory = Code(.invalidHistory)
        /// Input to score (a CSV file, say) is malformed or lacks the model's features.
        public static let invalidInput = Code(.invalidInput)

        public var description: String {
            switch self.wrapped {
            case .malformedModel: "malformed model"
            case .unsupportedModel: "unsupported model"
            case .inconsistentTree: "inconsistent tree"
            case .featureCountMismatch: "feature count mismatch"
            case .invalidHistory: "invalid history"
            case .invalidInput: "invalid input"
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
