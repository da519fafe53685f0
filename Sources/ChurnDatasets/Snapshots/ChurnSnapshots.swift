public import ChurnModel

/// Cuts labelled training rows from customer timelines: at the last day of each month, every
/// customer that is still a customer gets its features (from what was known that day) and its
/// label (whether it stays inactive over the following `inactivityDays`).
///
/// A customer is "still a customer" on a day when its contract has started, it has been active
/// on or before that day, and its last activity is fewer than `inactivityDays` ago (otherwise it
/// has already churned). A month is snapshotted only when the data reaches `inactivityDays`
/// beyond its end (so every label is observed) and `historyMonths` months of data precede it
/// (so the 3-month-over-3-month changes have their windows).
///
/// ```swift
/// let snapshots = ChurnSnapshots(configuration: .defaults)
/// try snapshots.rows(of: timelines, dataEndDay: lastDay) { row in … }
/// ```
public struct ChurnSnapshots: Sendable {
    /// How rows are cut.
    public struct Configuration: Sendable, Hashable {
        /// Days without activity that make a customer churned (DESIGN.md's `inactivityDays`). Default 90.
        public var inactivityDays: Int
        /// Months of data needed before the first snapshot (the derivation's two 3-month windows). Default 6.
        public var historyMonths: Int
        /// How features are derived.
        public var derivation: FeatureDerivation.Configuration

        public init(
            inactivityDays: Int = 90,
            historyMonths: Int = 6,
            derivation: FeatureDerivation.Configuration = .defaults
        ) {
            self.inactivityDays = inactivityDays
            self.historyMonths = historyMonths
            self.derivation = derivation
        }

        /// The defaults stated on each property.
        public static var defaults: Configuration { Configuration() }
    }

    /// One labelled row.
    public struct Row: Sendable, Hashable {
        public var crm: UInt64
        public var productGroup: String
        /// The month index of the snapshot (its last day is the as-of day).
        public var period: Int
        /// ``FeatureDerivation/schema``'s features.
        public var features: [Double]
        /// 1 when the customer had no activity in the `inactivityDays` after the snapshot.
        public var churned: Int

        public init(crm: UInt64, productGroup: String, period: Int, features: [Double], churned: Int) {
            self.crm = crm
            self.productGroup = productGroup
            self.period = period
            self.features = features
            self.churned = churned
        }
    }

    public var configuration: Configuration

    public init(configuration: Configuration = .defaults) { self.configuration = configuration }

    /// The months that can be snapshotted for data from `dataStartDay` through `dataEndDay`.
    public func periods(dataStartDay: Int, dataEndDay: Int) -> ClosedRange<Int>? {
        let first = CivilDate(days: dataStartDay).monthIndex + self.configuration.historyMonths - 1
        var last = CivilDate(days: dataEndDay).monthIndex
        while last >= first, Self.lastDay(ofMonth: last) + self.configuration.inactivityDays > dataEndDay {
            last -= 1
        }
        return last >= first ? first...last : nil
    }

    /// Calls `body` with every row of `timelines` (customer by customer, each customer's months in
    /// order) for the months that can be snapshotted.
    ///
    /// - Throws: ``ModelError/Code/invalidHistory`` for a timeline whose months are out of order,
    ///   or anything `body` throws.
    public func rows<E: Error>(
        of timelines: [CustomerTimeline],
        dataStartDay: Int,
        dataEndDay: Int,
        _ body: (Row) throws(E) -> Void
    ) throws(SnapshotError<E>) {
        guard let periods = self.periods(dataStartDay: dataStartDay, dataEndDay: dataEndDay) else { return }
        let derivation = FeatureDerivation(configuration: self.configuration.derivation)
        let inactivity = self.configuration.inactivityDays
        for timeline in timelines {
            for period in periods {
                let asOf = Self.lastDay(ofMonth: period)
                if let start = timeline.contractStartDay, start > asOf { continue }
                guard let last = timeline.lastActivity(onOrBefore: asOf), asOf - last < inactivity else { continue }
                let features: [Double]
                do {
                    features = try derivation.features(of: timeline.history(asOfDay: asOf), asOfDay: asOf)
                } catch {
                    throw .history(crm: timeline.crm, productGroup: timeline.productGroup, error)
                }
                let row = Row(
                    crm: timeline.crm,
                    productGroup: timeline.productGroup,
                    period: period,
                    features: features,
                    churned: timeline.isActive(after: asOf, within: inactivity) ? 0 : 1
                )
                do throws(E) {
                    try body(row)
                } catch {
                    throw .body(error)
                }
            }
        }
    }

    /// Every row of `timelines` by column, ready for training: each derived feature's values,
    /// the labels (0 or 1) and the periods.
    ///
    /// - Throws: ``SnapshotError/history(crm:productGroup:_:)`` for a broken timeline.
    public func columns(
        of timelines: [CustomerTimeline],
        dataStartDay: Int,
        dataEndDay: Int
    ) throws(SnapshotError<Never>) -> (features: [[Double]], labels: [Double], periods: [Int]) {
        var features = [[Double]](repeating: [], count: FeatureDerivation.schema.features.count)
        var labels: [Double] = []
        var periods: [Int] = []
        try self.rows(of: timelines, dataStartDay: dataStartDay, dataEndDay: dataEndDay) { (row: Row) throws(Never) in
            for (index, value) in row.features.enumerated() { features[index].append(value) }
            labels.append(Double(row.churned))
            periods.append(row.period)
        }
        return (features, labels, periods)
    }

    /// The last day (days since 1970-01-01) of a month index.
    public static func lastDay(ofMonth month: Int) -> Int {
        let next = month + 1
        return CivilDate.days(year: next / 12, month: next % 12 + 1, day: 1) - 1
    }
}

/// Why cutting snapshots stopped: a customer's history is broken, or the row consumer failed.
public enum SnapshotError<Body: Error>: Error {
    case history(crm: UInt64, productGroup: String, ModelError)
    case body(Body)
}

extension SnapshotError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .history(let crm, let group, let error): "customer \(crm) / \(group): \(error)"
        case .body(let error): "\(error)"
        }
    }
}
