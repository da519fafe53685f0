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
    /// The writer of a scorer that holds `book`.
    static func writer(url: DatabaseURL, book: CustomerBook, logger: Logger) -> IngestWriter {
        let held = Gauge(label: "churnguard_customers_held")
        return IngestWriter(url: url, logger: logger) { updates in
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
