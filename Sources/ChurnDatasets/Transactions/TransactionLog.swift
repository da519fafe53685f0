public import ChurnModel

/// A purchase log (one line per transaction: customer, date, quantity, amount) turned into
/// customer timelines: per month the net revenue (sum of amounts) and the units bought (as the
/// KAG count), the transaction days as activity days, and the first purchase as the contract
/// start. Complaints, surveys, discounts, returns and call-center contacts are not in such logs:
/// they are 0, and satisfaction is missing.
///
/// Two layouts are read: the CDNOW master file (`customer_id date number_of_cds dollar_value`,
/// whitespace-separated, dates `YYYYMMDD`, an optional header), and CSV with the header
/// `crm,date,quantity,amount[,product_group]` (dates `YYYYMMDD` or `YYYY-MM-DD`).
///
/// ```swift
/// let log = try TransactionLog(text: String(contentsOfFile: "CDNOW_master.txt"), productGroup: "cdnow")
/// let timelines = log.timelines()
/// ```
public struct TransactionLog: Sendable {
    /// One purchase.
    public struct Transaction: Sendable, Hashable {
        public var crm: UInt64
        public var productGroup: String
        /// Days since 1970-01-01.
        public var day: Int
        public var quantity: Double
        public var amount: Double
    }

    public let transactions: [Transaction]
    /// The first and last transaction days.
    public let firstDay: Int
    public let lastDay: Int

    /// Parses a log.
    ///
    /// - Parameter productGroup: the product group of lines that name none.
    /// - Throws: ``ModelError/Code/invalidInput`` with the line number of a line that cannot be
    ///   read (wrong field count, a bad number or date), or for a log without transactions.
    public init(text: String, productGroup: String) throws(ModelError) {
        var transactions: [Transaction] = []
        var lineNumber = 0
        var isCSV = false
        var firstDay = Int.max
        var lastDay = Int.min
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters()
            if line.isEmpty { continue }
            if transactions.isEmpty, line.first.map({ !$0.isNumber }) ?? false {
                // A header: CSV when it has commas.
                isCSV = line.contains(",")
                continue
            }
            let fields =
                isCSV
                ? line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters() }
                : line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count == 4 || (isCSV && fields.count == 5) else {
                throw ModelError(
                    .invalidInput,
                    "line \(lineNumber): \(fields.count) fields; expected customer, date, quantity, amount"
                )
            }
            guard let crm = UInt64(fields[0]) else {
                throw ModelError(
                    .invalidInput,
                    "line \(lineNumber): customer '\(fields[0].prefix(20))' is not a number"
                )
            }
            guard let day = Self.day(fields[1]) else {
                throw ModelError(
                    .invalidInput,
                    "line \(lineNumber): date '\(fields[1].prefix(20))' is not YYYYMMDD or YYYY-MM-DD"
                )
            }
            guard let quantity = Double(fields[2]), quantity.isFinite, let amount = Double(fields[3]), amount.isFinite
            else {
                throw ModelError(.invalidInput, "line \(lineNumber): quantity and amount must be finite numbers")
            }
            let group = fields.count == 5 && !fields[4].isEmpty ? fields[4] : productGroup
            transactions.append(
                Transaction(crm: crm, productGroup: group, day: day, quantity: quantity, amount: amount)
            )
            firstDay = min(firstDay, day)
            lastDay = max(lastDay, day)
        }
        guard !transactions.isEmpty else { throw ModelError(.invalidInput, "the log has no transactions") }
        self.transactions = transactions
        self.firstDay = firstDay
        self.lastDay = lastDay
    }

    /// One timeline per (customer, product group), in order of first appearance.
    public func timelines() -> [CustomerTimeline] {
        struct Key: Hashable {
            var crm: UInt64
            var group: String
        }
        var order: [Key] = []
        var byKey: [Key: [Transaction]] = [:]
        for transaction in self.transactions {
            let key = Key(crm: transaction.crm, group: transaction.productGroup)
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(transaction)
        }
        return order.map { key in
            let purchases = byKey[key]!.sorted { $0.day < $1.day }
            var months: [MonthlyActivity] = []
            for purchase in purchases {
                let date = CivilDate(days: purchase.day)
                if months.last?.month != date.monthIndex {
                    months.append(MonthlyActivity(year: date.year, month: date.month, satisfaction: .nan))
                }
                months[months.count - 1].netRevenue += purchase.amount
                months[months.count - 1].kagCount += purchase.quantity
            }
            var days: [Int] = []
            for purchase in purchases where days.last != purchase.day { days.append(purchase.day) }
            return CustomerTimeline(
                crm: key.crm,
                productGroup: key.group,
                contractStartDay: purchases.first?.day,
                months: months,
                activityDays: days
            )
        }
    }

    /// `YYYYMMDD` or `YYYY-MM-DD` as days since 1970-01-01; nil for anything else or an impossible date.
    static func day(_ text: String) -> Int? {
        let digits = text.filter { $0 != "-" }
        guard digits.count == 8, digits.allSatisfy(\.isASCII), let number = Int(digits) else { return nil }
        if text.contains("-"), text.count != 10 { return nil }
        let year = number / 10_000
        let month = number / 100 % 100
        let day = number % 100
        guard (1...12).contains(month), day >= 1 else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        // Reject days past the month's end (Feb 30 would roll over).
        let check = CivilDate(days: days)
        return check.month == month && check.day == day ? days : nil
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" || first == "\r" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
        return String(text)
    }
}
