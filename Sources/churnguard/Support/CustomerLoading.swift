import ChurnModel
import ChurnRegistry
import ChurnScorer
import Foundation
import Logging

/// A scorer's customer histories, read from the database's `customer_months` at start and cached
/// in a file, so that a scorer can start with the database down, as it can with the cached model.
enum CustomerLoading {
    /// Every stored history, as a book scoring as of `scoringDay`, with the snapshot the histories
    /// were read in (nil when they come from the cache); logs how many and how long. The histories
    /// read are written to `cacheFile`; when the database cannot be read, the cache's are served
    /// instead (verified, and said so).
    static func book(
        url: DatabaseURL,
        scoringDay: ScoringDay,
        cacheFile: String? = nil,
        logger: Logger
    ) async throws -> (book: CustomerBook, snapshot: DatabaseSnapshot?) {
        let started = ContinuousClock.now
        logger.info("loading customer histories", metadata: ["database": "\(url)"])
        let stored: [StoredCustomer]
        var snapshot: DatabaseSnapshot?
        var source = "the database"
        do {
            let read = try await RegistrySession.with(url) { registry in
                try await CustomerHistoryStore(client: registry.client, logger: RegistrySession.logger).customers()
            }
            stored = read.customers
            snapshot = read.snapshot
            if let cacheFile { Self.writeCache(stored, to: cacheFile, logger: logger) }
        } catch {
            guard let cacheFile, let cached = Self.readCache(cacheFile, logger: logger) else {
                throw CommandFailure(
                    "cannot load customer histories: \(error); and no cached histories in \(cacheFile ?? "(no cache)")"
                )
            }
            logger.warning(
                "the database cannot be read: serving the cached customer histories",
                metadata: ["reason": "\(error)", "cache": "\(cacheFile)", "written": "\(cached.written)"]
            )
            stored = cached.customers
            source = "the cache"
        }
        let book: CustomerBook
        do {
            book = try CustomerBook(customers: stored, scoringDay: scoringDay)
        } catch {
            throw CommandFailure("the customer histories from \(source) cannot be served: \(error.message)")
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
                "from": "\(source)",
                "took": "\(Terminal.seconds(ContinuousClock.now - started))",
            ]
        )
        return (book, snapshot)
    }

    /// Writes the archive atomically (a temporary file renamed over the old one); a failure is
    /// logged, never fatal: serving goes on without a fresh cache.
    static func writeCache(_ customers: [StoredCustomer], to path: String, logger: Logger) {
        let temporary = "\(path).\(UInt32.random(in: 0...UInt32.max)).tmp"
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            try Data(StoredCustomer.archive(customers)).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            logger.warning(
                "cannot write the customer-history cache",
                metadata: ["path": "\(path)", "error": "\(error)"]
            )
        }
    }

    /// The cached histories and when they were written; nil (and a warning if damaged) otherwise.
    static func readCache(_ path: String, logger: Logger) -> (customers: [StoredCustomer], written: String)? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            let customers = try StoredCustomer.unarchive([UInt8](data))
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
            return (customers, modified.map { "\($0)" } ?? "unknown")
        } catch {
            logger.warning(
                "the customer-history cache cannot be used",
                metadata: ["path": "\(path)", "error": "\(error)"]
            )
            return nil
        }
    }
}
