/// One calendar month of a customer's activity in one product group.
public struct MonthlyActivity: Sendable, Hashable {
    /// The month, as `year * 12 + (month - 1)` (a month count: consecutive months differ by 1).
    public var month: Int
    public var netRevenue: Double
    /// Cards, vehicles or overnight stays in use (KAG).
    public var kagCount: Double
    public var discounts: Double
    public var returns: Double
    public var complaints: Double
    /// Mean survey score of the month; NaN when there was no survey.
    public var satisfaction: Double
    public var callCenterContacts: Double

    public init(
        year: Int,
        month: Int,
        netRevenue: Double = 0,
        kagCount: Double = 0,
        discounts: Double = 0,
        returns: Double = 0,
        complaints: Double = 0,
        satisfaction: Double = .nan,
        callCenterContacts: Double = 0
    ) {
        self.month = MonthlyActivity.monthIndex(year: year, month: month)
        self.netRevenue = netRevenue
        self.kagCount = kagCount
        self.discounts = discounts
        self.returns = returns
        self.complaints = complaints
        self.satisfaction = satisfaction
        self.callCenterContacts = callCenterContacts
    }

    /// `year * 12 + (month - 1)`.
    public static func monthIndex(year: Int, month: Int) -> Int { year * 12 + (month - 1) }

    /// `YYYY-MM` of a month index.
    public static func text(ofMonth index: Int) -> String {
        let number = index % 12 + 1
        return "\(index / 12)-\(number < 10 ? "0" : "")\(number)"
    }
}
