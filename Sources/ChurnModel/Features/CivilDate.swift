/// A proleptic Gregorian calendar date from a day count since 1970-01-01, without Foundation
/// (Howard Hinnant's `civil_from_days` algorithm).
public struct CivilDate: Sendable, Hashable {
    public var year: Int
    /// 1 through 12.
    public var month: Int
    /// 1 through 31.
    public var day: Int

    /// The date `days` after 1970-01-01 (negative: before).
    public init(days: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthShifted = (5 * dayOfYear + 2) / 153
        self.day = dayOfYear - (153 * monthShifted + 2) / 5 + 1
        self.month = monthShifted < 10 ? monthShifted + 3 : monthShifted - 9
        self.year = yearOfEra + era * 400 + (self.month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01 of a date (the inverse of ``init(days:)``).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The month as ``MonthlyActivity/monthIndex(year:month:)`` counts it.
    public var monthIndex: Int { MonthlyActivity.monthIndex(year: self.year, month: self.month) }

    /// `YYYY-MM-DD`.
    public var text: String {
        "\(MonthlyActivity.text(ofMonth: self.monthIndex))-\(self.day < 10 ? "0" : "")\(self.day)"
    }
}
