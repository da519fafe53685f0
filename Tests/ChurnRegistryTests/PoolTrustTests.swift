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
        watcher.state.withLockedValue { $0.inFlightRunning = true }
        #expect(!watcher.trustPool())
        #expect(!watcher.state.withLockedValue { $0.poolTrusted })
        watcher.state.withLockedValue { $0.inFlightRunning = false }
        #expect(watcher.trustPool())
    }
}
