import ArgumentParser
import ChurnDatasets
import ChurnModel
import Foundation

/// `churnguard demo-data`: a seeded B2B customer base as labelled training rows.
struct DemoDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Generate a realistic, seeded B2B customer base as labelled training rows (CSV).",
        discussion: """
            Companies have one to three product groups with monthly histories (revenue with \
            seasonality and growth, cards/vehicles/stays in use, discounts, returns, complaints, \
            surveys, call-center contacts). Leavers mostly decline for a few months first. At the end \
            of every month each current customer becomes a row: the ten derived features as known \
            that day, and churned = 1 when no activity follows within --inactivity-days. The same \
            seed gives the same file. `churnguard train --input FILE` trains on it.

            Example: churnguard demo-data --output rows.csv --history history.csv
            """
    )

    @Option(help: "Companies (CRM numbers); about 1.5 customers (product groups) each.")
    var companies = 10_000

    @Option(help: "Months of history.")
    var months = 24

    @Option(help: "The first month, YYYY-MM.")
    var start = "2024-01"

    @Option(help: "The random seed.")
    var seed: UInt64 = 42

    @Option(help: "Days without activity that count as churn.")
    var inactivityDays = 90

    @Option(help: "Where to write the labelled rows (CSV).")
    var output: String?

    @Flag(
        help:
            "Also store the monthly histories in the registry's database (customer_months), replacing what is there (running scorers load them without a restart); `churnguard train --from-database` trains on them."
    )
    var toDatabase = false

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Also write the monthly histories here (one line per customer and month).")
    var history: String?

    func validate() throws {
        guard self.output != nil || self.toDatabase else {
            throw ValidationError("give --output FILE, --to-database, or both")
        }
        if self.toDatabase { _ = try self.database.url() }
        guard (1...10_000_000).contains(self.companies) else {
            throw ValidationError("--companies must be 1 to 10,000,000")
        }
        guard (7...240).contains(self.months) else { throw ValidationError("--months must be 7 to 240") }
        guard (1...3_650).contains(self.inactivityDays) else {
            throw ValidationError("--inactivity-days must be 1 to 3,650")
        }
        guard Self.month(self.start) != nil else {
            throw ValidationError("--start must be YYYY-MM, got '\(self.start)'")
        }
    }

    func run() async throws {
        let (year, month) = Self.month(self.start)!
        let base = DemoCustomerBase(
            configuration: .init(
                companies: self.companies,
                months: self.months,
                startYear: year,
                startMonth: month,
                seed: self.seed
            )
        )
        let snapshots = ChurnSnapshots(configuration: .init(inactivityDays: self.inactivityDays))
        guard snapshots.periods(dataStartDay: base.startDay, dataEndDay: base.endDay) != nil else {
            throw ValidationError(
                "no month can be labelled: --months must leave 6 months of history before a snapshot and --inactivity-days (\(self.inactivityDays)) after it"
            )
        }
        let started = ContinuousClock.now
        let timelines = base.timelines()
        Terminal.progress("demo-data: \(timelines.count) customers of \(self.companies) companies generated")
        if let output = self.output {
            let summary = try SnapshotFile.write(
                timelines,
                snapshots: snapshots,
                dataStartDay: base.startDay,
                dataEndDay: base.endDay,
                to: output,
                command: "demo-data"
            )
            print(
                "wrote \(output): \(summary.rows) rows (\(summary.churned) churned, \(summary.ratePercent) %) of \(timelines.count) customers in \(Terminal.seconds(ContinuousClock.now - started))"
            )
        }
        if let history = self.history {
            try HistoryCSV.write(timelines, to: history)
            print("wrote \(history): the monthly histories")
        }
        if self.toDatabase {
            let url = try self.database.url()
            let generation = try await HistoryDatabase.store(timelines, url: url, command: "demo-data")
            print(
                "stored the monthly histories of \(timelines.count) customers in \(url) (generation \(generation): running scorers load them now)"
            )
        }
    }

    static func month(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]),
            (1...12).contains(month), (1900...9999).contains(year)
        else { return nil }
        return (year, month)
    }
}
