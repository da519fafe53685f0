import ChurnDatasets
import ChurnModel

/// Writes customer timelines as monthly-history CSV: one line per customer and month.
enum HistoryCSV {
    static let header =
        "crm,product_group,month,net_revenue,kag_count,discounts,returns,complaints,satisfaction,call_center_contacts,last_activity,contract_start"

    static func write(_ timelines: [CustomerTimeline], to path: String) throws(LineWriter.WriteError) {
        let writer = try LineWriter(path: path)
        try writer.write(Self.header)
        for timeline in timelines {
            let contract = timeline.contractStartDay.map { Self.date($0) } ?? ""
            for month in timeline.months {
                let end = ChurnSnapshots.lastDay(ofMonth: month.month)
                let last = timeline.lastActivity(onOrBefore: end).map { Self.date($0) } ?? ""
                let values = [
                    month.netRevenue, month.kagCount, month.discounts, month.returns, month.complaints,
                    month.satisfaction, month.callCenterContacts,
                ]
                .map { $0.isNaN ? "" : "\($0)" }
                try writer.write(
                    ([String(timeline.crm), CSVTable.escaped(timeline.productGroup), Self.month(month.month)] + values
                        + [last, contract]).joined(separator: ",")
                )
            }
        }
        try writer.close()
    }

    static func month(_ index: Int) -> String { MonthlyActivity.text(ofMonth: index) }

    static func date(_ days: Int) -> String { CivilDate(days: days).text }
}
