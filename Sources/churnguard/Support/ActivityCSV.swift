import ChurnModel
import ChurnWire
import Foundation

/// Activity events as CSV, for `churnguard ingest`: a header line naming the columns
/// `event_id,crm,product_group,occurred_at,kind,amount,kag_delta` (in any order; `amount` and
/// `kag_delta` may be left out and default to 0), then one event a line. `occurred_at` is a UTC
/// day (`2026-11-24`), a UTC time (`2026-11-24T09:30:00Z`) or Unix milliseconds; `kind` a name
/// (`purchase`, `return`, `discount`, `complaint`, `call_center_contact`, `satisfaction`,
/// `kag_change`, `contract_start`). No quoting: ids and product groups hold no commas.
struct ActivityCSV {
    static let columns = ["event_id", "crm", "product_group", "occurred_at", "kind", "amount", "kag_delta"]
    static let required = ["event_id", "crm", "product_group", "occurred_at", "kind"]
    static let kinds: [String: Activity.Kind] = [
        "purchase": .purchase, "return": .return, "discount": .discount, "complaint": .complaint,
        "call_center_contact": .callCenterContact, "satisfaction": .satisfaction, "kag_change": .kagChange,
        "contract_start": .contractStart,
    ]

    /// Where each column is in a line.
    private let positions: [String: Int]

    /// Reads the header line.
    ///
    /// - Throws: a message naming the missing or unknown column.
    init(header: Substring) throws(CommandFailure) {
        var positions: [String: Int] = [:]
        for (index, name) in header.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let column = name.trimmingCharacters(in: .whitespaces)
            guard Self.columns.contains(column) else {
                throw CommandFailure(
                    "line 1: unknown column '\(column)'; the columns are \(Self.columns.joined(separator: ","))"
                )
            }
            positions[column] = index
        }
        for column in Self.required where positions[column] == nil {
            throw CommandFailure(
                "line 1: the column \(column) is missing; the columns are \(Self.columns.joined(separator: ","))"
            )
        }
        self.positions = positions
    }

    /// One event line (`number` counts lines from 1, the header's).
    ///
    /// - Throws: a message naming the line and the field.
    func event(_ line: Substring, number: Int) throws(CommandFailure) -> ActivityEvent {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard fields.count == self.positions.count else {
            throw CommandFailure("line \(number): \(fields.count) fields, the header has \(self.positions.count)")
        }
        func field(_ name: String) -> String? { self.positions[name].map { fields[$0] } }
        guard let crm = UInt64(field("crm")!) else {
            throw CommandFailure("line \(number): crm '\(field("crm")!)' is not a CRM number")
        }
        guard let kind = Self.kinds[field("kind")!] else {
            throw CommandFailure(
                "line \(number): kind '\(field("kind")!)' is not one of \(Self.kinds.keys.sorted().joined(separator: ", "))"
            )
        }
        guard let occurred = Self.milliseconds(field("occurred_at")!) else {
            throw CommandFailure(
                "line \(number): occurred_at '\(field("occurred_at")!)' is not YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or Unix milliseconds"
            )
        }
        let amountText = field("amount") ?? ""
        guard let amount = amountText.isEmpty ? 0 : Double(amountText), amount.isFinite else {
            throw CommandFailure("line \(number): amount '\(amountText)' is not a number")
        }
        let deltaText = field("kag_delta") ?? ""
        guard let delta = deltaText.isEmpty ? 0 : Int32(deltaText) else {
            throw CommandFailure("line \(number): kag_delta '\(deltaText)' is not a whole number")
        }
        return ActivityEvent(
            eventId: field("event_id")!,
            crm: crm,
            productGroup: field("product_group")!,
            occurredAtMs: occurred,
            kind: ActivityKind(rawValue: UInt32(kind.rawValue)),
            amount: amount,
            kagDelta: delta
        )
    }

    /// `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM:SSZ` or Unix milliseconds.
    static func milliseconds(_ text: String) -> Int64? {
        if !text.contains("-"), let value = Int64(text) { return value }
        let parts = text.split(separator: "T", omittingEmptySubsequences: false)
        let date = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, date.count == 3, date[0].count == 4, date[1].count == 2, date[2].count == 2,
            let year = Int(date[0]), let month = Int(date[1]), let day = Int(date[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        guard CivilDate(days: days).day == day else { return nil }
        var seconds = 0
        if parts.count == 2 {
            guard parts[1].hasSuffix("Z") else { return nil }
            let time = parts[1].dropLast().split(separator: ":", omittingEmptySubsequences: false)
            guard time.count == 3, let hours = Int(time[0]), let minutes = Int(time[1]), let secs = Int(time[2]),
                (0..<24).contains(hours), (0..<60).contains(minutes), (0..<60).contains(secs)
            else { return nil }
            seconds = hours * 3600 + minutes * 60 + secs
        }
        return Int64(days) * 86_400_000 + Int64(seconds) * 1000
    }
}
