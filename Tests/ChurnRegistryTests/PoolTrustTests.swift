import Logging
import NIOConcurrencyHelpers
import Testing

@testable import ChurnRegistry

@Suite("registry pool trust")
struct PoolTrustTests {
    static func watcher() throws -> RegistryWatcher {
        // Nothing connects until run() or loadInitial(), so no server is needed.
        try RegistryWatcher(
            url: DatabaseURL("postgres://churn:secret@127.0.0.1:9/registry"),
            configuration: .init(modelName: "churn-test"),
            logger: Logger(label: "pool-trust-test")
        ) { _ in }
    }

    @Test func aFailedReadSendsRefreshesAroundThePoolUntilItWorks() throws {
        let watcher = try Self.watcher()
        #expect(watcher.state.withLockedValue { $0.poolTrusted }, "a new pool is trusted")
        watcher.distrustPool()
        #expect(!watcher.state.withLockedValue { $0.poolTrusted })
        #expect(watcher.trustPool())
        #expect(watcher.state.withLockedValue { $0.poolTrusted })
    }

    @Test func aStuckReadKeepsThePoolUntrusted() throws {
        let watcher = try Self.watcher()
        watcher.distrustPool()
        // A read through the pool that has not returned: every later one would be refused as
        // busy, so a working connection alone does not bring the pool back.
        watcher.state.withLockedValue { $0.inFlight = .init(number: 1, started: .now) }
        #expect(!watcher.trustPool())
        #expect(!watcher.trustPool(givingUpStuckReads: true), "a read may still be merely slow")
        #expect(!watcher.state.withLockedValue { $0.poolTrusted })
        watcher.endRead(1)
        #expect(watcher.trustPool())
    }

    /// A read through the pool that never returns (PostgresNIO can leave one cancelled while the
    /// server stops suspended for ever) kept the pool untrusted for good, and the outage test
    /// waited 90 s for reads to come back to it.
    @Test func aReadStuckPastTheLimitIsGivenUpOnOnceThePoolWorks() throws {
        let watcher = try Self.watcher()
        watcher.distrustPool()
        let limit = watcher.stuckReadLimit
        #expect(limit == .seconds(12))
        watcher.state.withLockedValue {
            $0.inFlight = .init(number: 7, started: .now - limit - .seconds(1))
            $0.lastReadNumber = 7
        }
        // Only a check that found the pool working gives up on it.
        #expect(!watcher.trustPool())
        #expect(watcher.trustPool(givingUpStuckReads: true))
        #expect(watcher.state.withLockedValue { $0.poolTrusted && $0.inFlight == nil })
        #expect(watcher.statistics.abandonedReads == 1)
        // A later read holds the mark; should the stuck one return after all, it leaves it.
        watcher.state.withLockedValue {
            $0.lastReadNumber = 8
            $0.inFlight = .init(number: 8, started: .now)
        }
        watcher.endRead(7)
        #expect(watcher.state.withLockedValue { $0.inFlight?.number } == 8)
        watcher.endRead(8)
        #expect(watcher.state.withLockedValue { $0.inFlight == nil })
    }
}
