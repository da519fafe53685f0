import ArgumentParser
import ChurnDatasets

/// Writes the labelled rows of customer timelines to a CSV file, with a progress line every
/// 50,000 rows: what `demo-data` and `transactions` share.
enum SnapshotFile {
    /// What was written.
    struct Summary {
        var rows = 0
        var churned = 0

        /// The churn rate in percent, one decimal.
        var ratePercent: Double { self.rows > 0 ? (Double(self.churned) / Double(self.rows) * 1000).rounded() / 10 : 0 }
    }

    static func write(
        _ timelines: [CustomerTimeline],
        snapshots: ChurnSnapshots,
        dataStartDay: Int,
        dataEndDay: Int,
        to path: String,
        command: String
    ) throws -> Summary {
        let writer = try LineWriter(path: path)
        try writer.write(ChurnSnapshots.Row.csvHeader)
        var summary = Summary()
        do {
            try snapshots.rows(of: timelines, dataStartDay: dataStartDay, dataEndDay: dataEndDay) {
                (row: ChurnSnapshots.Row) throws(LineWriter.WriteError) in
                try writer.write(row.csvLine)
                summary.rows += 1
                summary.churned += row.churned
                if summary.rows % 50_000 == 0 { Terminal.progress("\(command): \(summary.rows) rows written") }
            }
        } catch {
            throw ValidationError("\(command): \(error)")
        }
        try writer.close()
        return summary
    }
}
