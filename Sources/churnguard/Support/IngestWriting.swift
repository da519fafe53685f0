import ChurnModel
import ChurnRegistry
import ChurnScorer
import ChurnTransport
import ChurnWire
import CoreMetrics
import Logging
import NIOCore

/// Joins a scorer's `Ingest` calls to the database: the writer records their events and, on
/// each commit, updates the scorer's customer histories.
enum IngestWriting {
    /// The writer of a scorer that holds `book`; `source` (unique to the process) names its commits.
    static func writer(url: DatabaseURL, book: CustomerBook, source: String, logger: Logger) -> IngestWriter {
        let held = Gauge(label: "churnguard_customers_held")
        return IngestWriter(url: url, source: source, logger: logger) { updates in
            let skipped = book.apply(updates)
            held.record(book.count)
            if let first = skipped.first {
                logger.info(
                    "events committed for customers this scorer does not hold; it holds them after its next start",
                    metadata: ["customers": "\(skipped.count)", "first": "\(first.crm) \(first.productGroup)"]
                )
            }
        }
    }

    /// What keeps `book` current with the events other scorers ingest (their commits, not those of
    /// this process's writer named by the same `source`), from `snapshot` on: the read `book` was
    /// loaded from (nil: it came from the cache, and the follower reloads every history). Every
    /// full reload (such as after a replace of every history) is written to `cacheFile`.
    static func follower(
        url: DatabaseURL,
        book: CustomerBook,
        after snapshot: DatabaseSnapshot?,
        source: String,
        cacheFile: String?,
        logger: Logger
    ) -> CustomerChangeFollower {
        let held = Gauge(label: "churnguard_customers_held")
        return CustomerChangeFollower(
            url: url,
            source: source,
            after: snapshot,
            logger: logger,
            changeMark: { book.changeMark },
            apply: { updates in
                book.apply(updates)
                held.record(book.count)
            },
            replaceAll: { customers, mark, generation in
                let dayBefore = book.scoringDay
                let refused = book.replaceAll(
                    with: customers,
                    keepingChangesAfter: mark,
                    discardingVersionsBelow: generation
                )
                held.record(book.count)
                // The cache holds the last full read, as the start-up load writes it.
                if let cacheFile { CustomerLoading.writeCache(customers, to: cacheFile, logger: logger) }
                if book.scoringDay != dayBefore {
                    logger.info(
                        "the scoring day moved with the histories loaded",
                        metadata: ["scoring_day": "\(book.scoringDay.text)", "was": "\(dayBefore.text)"]
                    )
                }
                if let first = refused.first {
                    logger.error(
                        "stored histories that cannot be served were left out",
                        metadata: ["customers": "\(refused.count)", "first": "\(first)"]
                    )
                }
            }
        )
    }

    /// The scorer's sink: the writer, its failures as the RPC errors callers act on.
    static func sink(_ writer: IngestWriter) -> IngestHandlers.Sink {
        { events, eventLoop in
            writer.submit(events, on: eventLoop).map { counts in
                IngestHandlers.Recorded(accepted: counts.accepted, duplicates: counts.duplicates)
            }.flatMapErrorThrowing { error in
                switch error as? IngestWriter.Failure {
                case .busy:
                    var answer = RPCError(.overloaded, "\(error)")
                    answer.retryAfterMs = 500
                    throw answer
                case .closed, .database:
                    throw RPCError(.unavailable, "\(error)")
                case nil:
                    throw RPCError(.internal, "ingest failed: \(error)")
                }
            }
        }
    }
}
