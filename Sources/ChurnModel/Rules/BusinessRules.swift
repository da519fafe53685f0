/// The business rules every score reports beside the model's probability, with configurable
/// thresholds (`../shared/DESIGN.md`, "Domain").
///
/// ```swift
/// let rules = BusinessRules.defaults { $0.satisfactionFloor = 3 }
/// let flags = rules.evaluate(daysInactive: 120, revenueChange: -0.25, kagChange: 0, satisfaction: 4.2)
/// // [.inactive, .revenueDecrease]
/// ```
public struct BusinessRules: Sendable, Hashable {
    /// Rules that fired. Bit `n` is the wire's `RuleFlag` value `n`, so the set travels as is in
    /// `ScoreResponse.rule_flags`.
    public struct Flags: OptionSet, Sendable, Hashable {
        public var rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// No activity for at least ``BusinessRules/inactivityDays``.
        public static let inactive = Flags(rawValue: 1 << 0)
        /// Net revenue of the last 3 months down by at least ``BusinessRules/revenueDecrease``.
        public static let revenueDecrease = Flags(rawValue: 1 << 1)
        /// KAG count down by at least ``BusinessRules/transactionDecrease``.
        public static let transactionDecrease = Flags(rawValue: 1 << 2)
        /// Satisfaction below ``BusinessRules/satisfactionFloor``.
        public static let lowSatisfaction = Flags(rawValue: 1 << 3)
    }

    /// Days without activity from which a customer counts as inactive. Default 90.
    public var inactivityDays: Double
    /// The fractional drop in net revenue (last 3 months against the 3 before) that fires the
    /// revenue rule. Default 0.10 (10 %).
    public var revenueDecrease: Double
    /// The fractional drop in KAG count that fires the transaction rule. Default 0.10 (10 %).
    public var transactionDecrease: Double
    /// Satisfaction below this fires the satisfaction rule (on the 1–5 survey scale). Default 2.5.
    public var satisfactionFloor: Double

    /// Makes rules; every argument defaults to the value stated on its property.
    public init(
        inactivityDays: Double = 90,
        revenueDecrease: Double = 0.10,
        transactionDecrease: Double = 0.10,
        satisfactionFloor: Double = 2.5
    ) {
        self.inactivityDays = inactivityDays
        self.revenueDecrease = revenueDecrease
        self.transactionDecrease = transactionDecrease
        self.satisfactionFloor = satisfactionFloor
    }

    /// The defaults stated on each property.
    public static var defaults: BusinessRules { BusinessRules() }

    /// The defaults, changed by `configure`.
    public static func defaults(_ configure: (inout BusinessRules) -> Void) -> BusinessRules {
        var rules = BusinessRules()
        configure(&rules)
        return rules
    }

    /// Which rules fire. A missing input (NaN) fires nothing: a rule speaks only on evidence.
    ///
    /// - Parameters:
    ///   - revenueChange: fractional change, such as -0.25 for a quarter less.
    ///   - kagChange: fractional change of the KAG count.
    public func evaluate(daysInactive: Double, revenueChange: Double, kagChange: Double, satisfaction: Double) -> Flags
    {
        var flags: Flags = []
        if daysInactive >= self.inactivityDays { flags.insert(.inactive) }
        if revenueChange <= -self.revenueDecrease { flags.insert(.revenueDecrease) }
        if kagChange <= -self.transactionDecrease { flags.insert(.transactionDecrease) }
        if satisfaction < self.satisfactionFloor { flags.insert(.lowSatisfaction) }
        return flags
    }
}
