import ArgumentParser
import ChurnClient
import ChurnModel
import ChurnTransport
import ChurnWire
import Foundation
import Logging

/// `churnguard trend`: a customer's monthly trend from a scorer that holds histories.
struct TrendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: "Show a customer's monthly trend, from a scorer that holds customer histories.",
        discussion: """
            Asks churn.v1.Customers/Trend of a scorer started with --customers-from-database and \
            prints one line per calendar month up to its scoring day (months without activity as \
            zeros), then the last activity, the contract start and the 3-month revenue and KAG \
            changes the model sees. Example: churnguard trend --tls-dir certs --crm 4000001 \
            --product-group fuel_cards --months 6
            """
    )

    @OptionGroup var call: CustomerCallOptions

    @Option(help: "How many months, up to 120.")
    var months: UInt32 = 12

    func validate() throws {
        guard (1...120).contains(self.months) else { throw ValidationError("--months must be 1 to 120") }
    }

    func run() async throws {
        let configuration = try self.call.clientConfiguration()
        do {
            let trend = try await ChurnClient.withClient(
                configuration: configuration,
                logger: Logger(label: "churnguard.trend")
            ) { client in
                try await client.trend(
                    TrendRequest(crm: self.call.crm, productGroup: self.call.productGroup, months: self.months)
                )
            }
            print(self.call.json ? trend.jsonString : Self.render(trend))
        } catch let error as RPCError {
            print("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// The trend as a table a person reads.
    static func render(_ trend: TrendResponse) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }
        func day(_ milliseconds: Int64) -> String {
            milliseconds == 0 ? "unknown" : CivilDate(days: Int(milliseconds / 86_400_000)).text
        }
        func percent(_ fraction: Double) -> String {
            fraction.isNaN ? "n/a (under 6 months of history)" : String(format: "%+.1f %%", fraction * 100)
        }
        var lines = [
            "CRM \(trend.crm) · \(trend.productGroup)",
            "  month     revenue   KAG  discounts   returns  complaints  satisfaction  calls",
        ]
        for month in trend.months {
            let name = "\(month.yearMonth / 100)-\(month.yearMonth % 100 < 10 ? "0" : "")\(month.yearMonth % 100)"
            lines.append(
                "  \(name)"
                    + pad(String(format: "%.2f", month.netRevenue), 12)
                    + pad("\(month.kagCount)", 6)
                    + pad(String(format: "%.2f", month.discounts), 11)
                    + pad(String(format: "%.2f", month.returns), 10)
                    + pad("\(month.complaints)", 12)
                    + pad(month.satisfaction.map { String(format: "%.1f", $0) } ?? "-", 14)
                    + pad("\(month.callCenterContacts)", 7)
            )
        }
        lines += [
            "  last activity      \(day(trend.lastActivityMs))",
            "  contract start     \(day(trend.contractStartMs))",
            "  revenue, 3 months  \(percent(trend.revenueChange3m)) against the 3 before",
            "  KAG, 3 months      \(percent(trend.kagChange3m)) against the 3 before",
        ]
        return lines.joined(separator: "\n")
    }
}
