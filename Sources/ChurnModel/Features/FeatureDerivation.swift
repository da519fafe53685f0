/// Turns a customer's monthly history into the model's features (`../shared/DESIGN.md`,
/// "Domain"), as of a given day.
///
/// Windows: "last 3 months" are the three calendar months ending with the month of `asOfDay`
/// (months missing from the history count as zero activity); "previous 3 months" the three before.
/// Ratios divide by `|denominator| + epsilon`, so a zero denominator gives a large or zero value,
/// never a division by zero. A feature with no evidence is NaN (missing), which the models treat
/// as missing.
///
/// ```swift
/// let derivation = FeatureDerivation(configuration: .defaults)
/// let row = try derivation.features(of: history, asOfDay: today)   // FeatureDerivation.schema's order
/// ```
public struct FeatureDerivation: Sendable {
    /// How features are derived.
    public struct Configuration: Sendable, Hashable {
        /// Added to the magnitude of every ratio's denominator. Default 1e-10.
        public var epsilon: Double

        public init(epsilon: Double = 1e-10) { self.epsilon = epsilon }

        /// The defaults stated on each property.
        public static var defaults: Configuration { Configuration() }
    }

    /// The derived features, in the order ``features(of:asOfDay:)`` returns them.
    public static let schema = try! FeatureSchema([
        .numeric("days_inactive"),
        .numeric("contract_months"),
        .numeric("revenue_3m"),
        .numeric("revenue_change_3m"),
        .numeric("kag_change_3m"),
        .numeric("discount_rate"),
        .numeric("return_rate"),
        .numeric("complaint_rate"),
        .numeric("satisfaction"),
        .numeric("call_center_contacts"),
    ])

    public var configuration: Configuration

    public init(configuration: Configuration = .defaults) { self.configuration = configuration }

    /// The features of `history` as of `asOfDay` (days since 1970-01-01 UTC).
    ///
    /// - Throws: ``ModelError/Code/invalidHistory`` when a month or a date lies after `asOfDay`,
    ///   or months are repeated or out of order: scoring with the future would leak labels.
    public func features(of history: CustomerHistory, asOfDay: Int) throws(ModelError) -> [Double] {
        let current = CivilDate(days: asOfDay).monthIndex
        var previous: Int?
        for entry in history.months {
            guard entry.month <= current else {
                throw ModelError(.invalidHistory, "a month of the history lies after the month being scored")
            }
            if let previous, entry.month <= previous {
                throw ModelError(.invalidHistory, "the history's months are repeated or out of order")
            }
            previous = entry.month
        }
        if let last = history.lastActivityDay, last > asOfDay {
            throw ModelError(.invalidHistory, "the last activity lies after the day being scored")
        }
        if let start = history.contractStartDay, start > asOfDay {
            throw ModelError(.invalidHistory, "the contract starts after the day being scored")
        }

        let epsilon = self.configuration.epsilon
        let recent = Window(history: history, from: current - 2, through: current)
        let before = Window(history: history, from: current - 5, through: current - 3)
        // Changes need both windows inside the customer's known history.
        let firstMonth = history.months.first?.month
        let hasPreviousWindow = firstMonth.map { $0 <= current - 5 } ?? false

        func change(_ now: Double, _ then: Double) -> Double {
            hasPreviousWindow ? (now - then) / (abs(then) + epsilon) : .nan
        }
        return [
            history.lastActivityDay.map { Double(asOfDay - $0) } ?? .nan,
            history.contractStartDay.map { Double(asOfDay - $0) / 30.436875 } ?? .nan,
            recent.revenue,
            change(recent.revenue, before.revenue),
            change(recent.kagMean, before.kagMean),
            recent.discounts / (abs(recent.revenue) + epsilon),
            recent.returns / (abs(recent.revenue) + epsilon),
            recent.complaints / 3,
            recent.satisfactionMean,
            recent.callCenterContacts,
        ]
    }
}

/// Sums over a range of months of a history.
struct Window {
    var revenue = 0.0
    var kagMean = 0.0
    var discounts = 0.0
    var returns = 0.0
    var complaints = 0.0
    var callCenterContacts = 0.0
    var satisfactionMean = Double.nan

    init(history: CustomerHistory, from first: Int, through last: Int) {
        var kag = 0.0
        var satisfaction = 0.0
        var surveys = 0
        for entry in history.months where entry.month >= first && entry.month <= last {
            self.revenue += entry.netRevenue
            kag += entry.kagCount
            self.discounts += entry.discounts
            self.returns += entry.returns
            self.complaints += entry.complaints
            self.callCenterContacts += entry.callCenterContacts
            if !entry.satisfaction.isNaN {
                satisfaction += entry.satisfaction
                surveys += 1
            }
        }
        self.kagMean = kag / Double(last - first + 1)
        if surveys > 0 { self.satisfactionMean = satisfaction / Double(surveys) }
    }
}
