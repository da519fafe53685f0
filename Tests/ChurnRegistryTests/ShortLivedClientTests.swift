import ChurnTesting
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import Testing

@testable import ChurnRegistry

@Suite("short-lived registry clients")
struct ShortLivedClientTests {
    /// What the reads saw: how many ended, how many answered, and the longest.
    struct Tally {
        var ended = 0
        var answered = 0
        var longest = Duration.zero
    }

    /// The watcher reads through short-lived clients while the pool is down, every poll. Each
    /// read must end by its deadline whatever the database does meanwhile: a read that waited on
    /// a query cancelled as the server went away used to hang with it (about one in a hundred
    /// here), and the watcher's refreshes with it. Reads run as tasks of their own and the test
    /// counts them, so a hang fails the test instead of hanging the suite.
    @Test func everyReadEndsByItsDeadlineWhileTheDatabaseStopsAndStarts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "flapping-pg-\(UUID().uuidString)"
        )
        .path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = try DatabaseURL(try await TestPostgres.startDedicated(directory: directory))
        let quiet = {
            var logger = Logger(label: "short-lived-test")
            logger.logLevel = .critical
            return logger
        }()
        let limit = Duration.milliseconds(700)
        let tally = NIOLockedValueBox(Tally())
        let readers = 6
        let readsEach = 8
        let rounds = 12
        var total = 0
        for _ in 0..<rounds {
            for _ in 0..<readers {
                Task {
                    for _ in 0..<readsEach {
                        let start = ContinuousClock.now
                        let answered = try? await ShortLivedClient.run(url.configuration, within: limit, logger: quiet)
                        {
                            client async throws(RegistryError) in
                            do {
                                _ = try await client.query("SELECT pg_sleep(0.05)", logger: quiet).collect()
                            } catch {
                                throw RegistryError(.unavailable, "\(error)")
                            }
                            return true
                        }
                        let took = ContinuousClock.now - start
                        tally.withLockedValue { tally in
                            tally.ended += 1
                            tally.answered += answered == true ? 1 : 0
                            tally.longest = max(tally.longest, took)
                        }
                    }
                }
            }
            total += readers * readsEach
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...600)))
            try await TestPostgres.stopDedicated(directory: directory)
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...600)))
            _ = try await TestPostgres.startDedicated(directory: directory)
            // The round's reads end before the next round (a stuck one ends the test).
            let start = ContinuousClock.now
            while tally.withLockedValue({ $0.ended }) < total, ContinuousClock.now - start < .seconds(20) {
                try await Task.sleep(for: .milliseconds(50))
            }
            guard tally.withLockedValue({ $0.ended }) == total else { break }
        }
        try await TestPostgres.stopDedicated(directory: directory)
        let seen = tally.withLockedValue { $0 }
        #expect(seen.ended == total, "every read ended")
        // Scheduling slack: beside the suite's other tests on 2 cores a read once ended 3.5 s
        // after its deadline (its timer's task waited for a thread). A read that waited for the
        // pool instead would take up to PostgresNIO's minute of backoff, or for ever.
        #expect(seen.longest < limit + .seconds(10), "none waited past its deadline by more than scheduling")
        #expect(seen.answered > 0, "reads between the outages were answered")
    }
}
