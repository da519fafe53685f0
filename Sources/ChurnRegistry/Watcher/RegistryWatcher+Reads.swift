internal import CoreMetrics
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle

/// How a refresh reaches the registry: through the long-lived pool while it works, else through a
/// connection of its own until the pool connects again.
extension RegistryWatcher {
    /// Reads through the long-lived pool, at most ``Configuration/refreshTimeout``; a read that
    /// fails for want of the database makes the pool untrusted.
    func readThroughPool(current: RegistryModels?) async throws(RegistryError) -> RegistryModels {
        let registry = ModelRegistry(client: self.client, logger: self.logger)
        do throws(RegistryError) {
            // A read still stuck from an earlier refresh (the database went away under it): the
            // registry is still unreachable, and one stuck read is enough.
            let number: Int? = self.state.withLockedValue { state in
                guard state.inFlight == nil else { return nil }
                state.lastReadNumber += 1
                state.inFlight = PooledRead(number: state.lastReadNumber, started: .now)
                return state.lastReadNumber
            }
            guard let number else {
                throw RegistryError(.unavailable, "an earlier read of the registry has not returned")
            }
            return try await DeadlineRace.run(
                within: self.configuration.refreshTimeout,
                "reading the registry",
                // A read that outlived its deadline may carry a change (a notification's): read again.
                late: { _ in self.trigger.yield() },
                operation: { () throws(RegistryError) in
                    let models: RegistryModels
                    do throws(RegistryError) {
                        models = try await self.fetch(registry, current: current)
                    } catch {
                        self.endRead(number)
                        throw error
                    }
                    self.endRead(number)
                    // Even a read past its deadline shows the pool works.
                    self.trustPool()
                    return models
                }
            )
        } catch {
            if error.code == .unavailable && !Task.isCancelled { self.distrustPool() }
            throw error
        }
    }

    /// A refresh's read through a short-lived client, counted.
    func readDirectlyForRefresh(current: RegistryModels?) async throws(RegistryError) -> RegistryModels {
        self.state.withLockedValue { $0.statistics.directRefreshes += 1 }
        self.metrics.directReads.increment()
        return try await self.readDirectly(current: current, within: self.configuration.refreshTimeout)
    }

    /// Reads through a client made for this read and shut down after it, waiting at most `limit`.
    /// A read that outlives its deadline is dropped; the next poll reads again.
    func readDirectly(current: RegistryModels?, within limit: Duration) async throws(RegistryError) -> RegistryModels {
        try await ShortLivedClient.run(self.url.configuration, within: limit, logger: self.quietLogger) {
            client async throws(RegistryError) in
            try await self.fetch(ModelRegistry(client: client, logger: self.logger), current: current)
        }
    }

    /// Stops refreshes from reading through the pool until ``probePoolLoop()`` gets a connection
    /// from it again.
    func distrustPool() {
        let wasTrusted = self.state.withLockedValue { state in
            let was = state.poolTrusted
            state.poolTrusted = false
            return was
        }
        if wasTrusted {
            self.metrics.readsThroughPool.record(0)
            self.logger.debug("registry pool not trusted: polls read through connections of their own")
            self.doubtPool.yield()
        }
    }

    /// Clears the mark of read `number`, unless it was given up on (a later read may hold it).
    func endRead(_ number: Int) {
        self.state.withLockedValue { state in
            if state.inFlight?.number == number { state.inFlight = nil }
        }
    }

    /// Lets refreshes read through the pool again, unless a read through it is still stuck (one
    /// that never returns would fail every later one); whether it did. With `givingUpStuckReads`
    /// (the pool was just seen to work), a read unreturned for ``stuckReadLimit`` is given up on.
    @discardableResult
    func trustPool(givingUpStuckReads: Bool = false) -> Bool {
        let limit = self.stuckReadLimit
        let (trusted, abandoned) = self.state.withLockedValue { state -> (Bool, Bool) in
            var abandoned = false
            if let read = state.inFlight {
                guard givingUpStuckReads, ContinuousClock.now - read.started >= limit else { return (false, false) }
                state.inFlight = nil
                state.statistics.abandonedReads += 1
                abandoned = true
            }
            state.poolTrusted = true
            return (true, abandoned)
        }
        if abandoned {
            self.logger.warning(
                "a registry read through the pool never returned; giving up on it, since the pool works again"
            )
        }
        if trusted { self.metrics.readsThroughPool.record(1) }
        return trusted
    }

    /// Whenever the pool is distrusted: asks it for a connection and runs a query on it, until
    /// that works and no read through it is stuck; then refreshes read through it again. Each
    /// check waits at most ``Configuration/refreshTimeout`` (the pool's wait for a connection
    /// lasts its reconnect backoff, up to a minute), with ``Configuration/maxBackoff`` between.
    func probePoolLoop() async {
        for await _ in self.poolDoubts.cancelOnGracefulShutdown() {
            var backoff = Duration.milliseconds(100)
            while !Task.isCancelled && !Task.isShuttingDownGracefully
                && !self.state.withLockedValue({ $0.poolTrusted })
            {
                do throws(RegistryError) {
                    try await DeadlineRace.run(
                        within: self.configuration.refreshTimeout,
                        "checking the registry pool",
                        late: { _ in },
                        operation: { () throws(RegistryError) in
                            do {
                                try await self.client.withConnection { connection in
                                    _ = try await connection.query("SELECT 1", logger: self.quietLogger).collect()
                                }
                            } catch {
                                throw RegistryError(.unavailable, "checking the registry pool: \(error)")
                            }
                        }
                    )
                    if self.trustPool(givingUpStuckReads: true) {
                        self.logger.debug("registry pool connects again: refreshes read through it")
                        break
                    }
                    // A read through the pool is still stuck.
                } catch {
                    // No connection yet (the pool fails waits at once while its circuit breaker
                    // is open).
                }
                let wait = backoff
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
                backoff = min(backoff * 2, self.configuration.maxBackoff)
            }
        }
    }
}
