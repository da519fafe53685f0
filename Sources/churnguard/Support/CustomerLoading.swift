import ChurnModel
import ChurnRegistry
import ChurnScorer
import Logging

/// A scorer's customer histories, read from the database's `customer_months` at start.
enum CustomerLoading {
    /// Every stored history, as a book scoring as of `scoringDay`; logs how many and how long.
    static func book(url: DatabaseURL, scoringDay: ScoringDay, logger: Logger) async throws -> CustomerBook {
        let started = ContinuousClock.now
        logger.info("loading customer histories", metadata: ["database": "\(url)"])
        let (stored, _, _) = try await RegistrySession.with(url) { registry in
            try await CustomerHistoryStore(client: registry.client, logger: RegistrySession.logger).customers()
        }
        let book: CustomerBook
        do {
            book = try CustomerBook(
                customers: stored,
                scoringDay: scoringDay
            )
        } catch {
            throw CommandFailure("the customer histories in \(url) cannot be served: \(error.message)")
        }
        if book.count == 0 {
            logger.warning(
                "customer_months holds no histories: calls without features get NOT_FOUND (`churnguard demo-data --to-database` stores some)"
            )
        }
        logger.info(
            "customer histories loaded",
            metadata: [
                "customers": "\(book.count)",
                "months": "\(stored.reduce(0) { $0 + $1.months.count })",
                "scoring_day": "\(book.scoringDay.text)",
                "took": "\(Terminal.seconds(ContinuousClock.now - started))",
            ]
        )
        return book
    }
}
