import ArgumentParser
import ChurnDatasets
import ChurnModel
import Foundation

/// `churnguard transactions`: a company's purchase log as labelled training rows.
struct TransactionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transactions",
        abstract: "Turn a purchase log into monthly histories and labelled training rows (CSV).",
        discussion: """
            Reads the CDNOW master file (customer_id date number_of_cds dollar_value) or CSV with \
            the header crm,date,quantity,amount[,product_group]. Per customer and month: revenue = \
            the amounts, KAG = the units; the first purchase is the contract start. At the end of \
            every month whose outcome the log covers, each current customer (active within \
            --inactivity-days) becomes a row, churned = 1 when it buys nothing in the next \
            --inactivity-days. Complaints, surveys and calls are not in such logs: 0 and missing.

            Example: churnguard transactions --input CDNOW_master.txt --output cdnow-rows.csv
            """
    )

    @Option(help: "The purchase log.")
    var input: String

    @Option(help: "Where to write the labelled rows.")
    var output: String

    @Option(help: "The product group of lines that name none.")
    var productGroup = "all"

    @Option(help: "Days without activity that count as churn.")
    var inactivityDays = 90

    @Option(help: "Also write the monthly histories here.")
    var history: String?

    func validate() throws {
        guard (1...3_650).contains(self.inactivityDays) else {
            throw ValidationError("--inactivity-days must be 1 to 3,650")
        }
        guard !self.productGroup.isEmpty else { throw ValidationError("--product-group must not be empty") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: self.input) else {
            throw ValidationError("cannot read '\(self.input)'")
        }
        let started = ContinuousClock.now
        let log = try TransactionLog(text: String(decoding: data, as: UTF8.self), productGroup: self.productGroup)
        let timelines = log.timelines()
        Terminal.progress(
            "transactions: \(log.transactions.count) transactions of \(timelines.count) customers, \(HistoryCSV.date(log.firstDay)) to \(HistoryCSV.date(log.lastDay))"
        )
        let snapshots = ChurnSnapshots(configuration: .init(inactivityDays: self.inactivityDays))
        guard let periods = snapshots.periods(dataStartDay: log.firstDay, dataEndDay: log.lastDay) else {
            throw ValidationError(
                "the log spans too little time: it needs 6 months before a snapshot and \(self.inactivityDays) days after"
            )
        }
        Terminal.progress(
            "transactions: snapshots at the ends of \(HistoryCSV.month(periods.lowerBound)) to \(HistoryCSV.month(periods.upperBound))"
        )
        let summary = try SnapshotFile.write(
            timelines,
            snapshots: snapshots,
            dataStartDay: log.firstDay,
            dataEndDay: log.lastDay,
            to: self.output,
            command: "transactions"
        )
        if let history = self.history { try HistoryCSV.write(timelines, to: history) }
        print(
            "wrote \(self.output): \(summary.rows) rows (\(summary.churned) churned, \(summary.ratePercent) %) in \(Terminal.seconds(ContinuousClock.now - started))"
        )
    }
}
