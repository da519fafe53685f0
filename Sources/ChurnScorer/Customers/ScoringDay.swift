internal import ChurnModel

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The day a scorer derives customers' features as of: today (UTC), or a fixed day for data
/// that ended in the past (a replay, the CDNOW set, a test).
public enum ScoringDay: Sendable, Hashable {
    /// The current day in UTC, read at every call; features are derived again when it changes.
    case today
    /// A fixed day, as days since 1970-01-01 (UTC).
    case fixed(Int)
    /// The latest active day in the histories loaded, fixed when they are loaded (again at each
    /// load of every history, such as after a replace of them): for data that ended in the past,
    /// scored as its last day saw it.
    case latestActivity

    /// Parses `today`, `latest-activity` or `YYYY-MM-DD`; nil for anything else or an
    /// impossible date.
    public init?(_ text: String) {
        if text == "today" {
            self = .today
            return
        }
        if text == "latest-activity" {
            self = .latestActivity
            return
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1900...9999).contains(year), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        // 2023-02-30 would roll over into March: refuse it instead.
        let date = CivilDate(days: days)
        guard date.year == year, date.month == month, date.day == day else { return nil }
        self = .fixed(days)
    }

    /// The day it stands for now, as days since 1970-01-01 (UTC); `latestActivity` is the
    /// `latestActivity` given (``CustomerBook`` fixes it when it loads).
    func resolve(today: () -> Int, latestActivity: Int) -> Int {
        switch self {
        case .today: today()
        case .fixed(let day): day
        case .latestActivity: latestActivity
        }
    }

    /// `today`, `latest-activity`, or the fixed day as `YYYY-MM-DD`.
    public var text: String {
        switch self {
        case .today: "today"
        case .fixed(let day): CivilDate(days: day).text
        case .latestActivity: "latest-activity"
        }
    }

    /// The current day in UTC, as days since 1970-01-01.
    @Sendable public static func currentUTCDay() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int(time.tv_sec) / 86_400
    }
}
