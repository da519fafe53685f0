import ChurnModel
import ChurnWire
internal import CoreMetrics
import Foundation
public import Logging
import NIOConcurrencyHelpers
import PostgresNIO
public import ServiceLifecycle

/// Keeps a scorer serving what the registry says, with no restart: it LISTENs on
/// `churn_models` and also polls (so a dropped connection or a missed notification still
/// converges), and when an alias moves it downloads the version, checks its SHA-256, its feature
/// schema and its golden inputs, and only then hands the new set of models to `apply` — which
/// swaps one reference, so calls in flight finish on the model they started with.
///
/// Serving comes first: a version's checks and parsing run on a thread at a lower priority than
/// the event loops that serve calls (``ModelLoadingThread``).
///
/// A version that fails a check is refused: logged, counted, written to the audit log as
/// `swap-refused`, never retried, and the old model keeps serving. While the database is down
/// the last good models keep serving and ``isReachable`` is false. A refresh that fails is tried
/// again after a backoff (250 ms, doubling to ``Configuration/maxBackoff``), besides the polls, so
/// a notification whose read failed does not wait for the next poll. Once a read through the
/// long-lived pool fails (or LISTEN drops), polls read through a short-lived connection of their
/// own until the pool connects again, so the registry is seen within a poll of its return rather
/// than after the pool's reconnect backoff, which grows with the outage to a minute. Each
/// production model it serves is written to a local cache, which ``loadInitial()`` falls back
/// to when the database is down at start-up.
///
/// ```swift
/// let watcher = RegistryWatcher(url: url, configuration: .init(modelName: "churn-gbdt", cacheDirectory: ".data/cache"),
///                               logger: logger) { models in holder.replace(with: models) }
/// let initial = try await watcher.loadInitial()      // from the registry, or the cache when it is down
/// try await ServiceGroup(services: [scorer, watcher], …).run()
/// ```
public final class RegistryWatcher: Service, Sendable {
    /// What to watch and how.
    public struct Configuration: Sendable {
        /// The model name whose aliases the scorer serves.
        public var modelName: String
        /// How often to poll besides LISTEN. Default 2 s.
        public var pollInterval: Duration
        /// Where the last served production model is cached (nil: no cache).
        public var cacheDirectory: String?
        /// The feature schema the cluster serves; nil: whatever production's is at start.
        public var expectedSchemaHash: UInt64?
        /// The actor named in `swap-refused` audit rows.
        public var scorerID: String
        /// The longest wait between attempts to LISTEN again after the connection dropped,
        /// between checks that the pool connects again, and between retries of a failed
        /// refresh. Default 5 s. The pool's connections
        /// come back on PostgresNIO's own backoff, which grows with an outage (to a minute), so
        /// LISTEN may return that much later; polls do not wait for it: until the pool connects,
        /// they read through a connection of their own.
        public var maxBackoff: Duration
        /// Whether to LISTEN for notifications (false: poll only). Default true.
        public var listens: Bool
        /// How long one refresh may take before the registry counts as unreachable. Default 3 s.
        public var refreshTimeout: Duration

        public init(
            modelName: String,
            pollInterval: Duration = .seconds(2),
            cacheDirectory: String? = nil,
            expectedSchemaHash: UInt64? = nil,
            scorerID: String = "scorer",
            maxBackoff: Duration = .seconds(5),
            listens: Bool = true,
            refreshTimeout: Duration = .seconds(3)
        ) {
            self.modelName = modelName
            self.pollInterval = pollInterval
            self.cacheDirectory = cacheDirectory
            self.expectedSchemaHash = expectedSchemaHash
            self.scorerID = scorerID
            self.maxBackoff = maxBackoff
            self.listens = listens
            self.refreshTimeout = refreshTimeout
        }
    }

    /// Counters for health and metrics.
    public struct Statistics: Sendable, Hashable {
        public var swaps = 0
        public var refusals = 0
        /// Refreshes begun.
        public var refreshes = 0
        /// Refreshes that have returned, whether or not they read the registry.
        public var finishedRefreshes = 0
        public var notifications = 0
        public var failedRefreshes = 0
        /// Refreshes read through a client of their own while the pool was not trusted.
        public var directRefreshes = 0
        /// Reads through the pool given up for stuck (see ``RegistryWatcher/stuckReadLimit``).
        public var abandonedReads = 0
    }

    /// A read through the pool, by number (so that one given up for stuck, should it ever return,
    /// cannot clear a later one's mark) and start.
    struct PooledRead {
        var number: Int
        var started: ContinuousClock.Instant
    }

    /// How long a read through the pool may go unreturned before a working pool gives up on it:
    /// four read deadlines. PostgresNIO (1.33) can leave a query cancelled while the server stops
    /// suspended for ever; kept, its mark would keep every later read off the pool.
    var stuckReadLimit: Duration { self.configuration.refreshTimeout * 4 }

    /// The wait before a failed refresh is first tried again; it doubles to `maxBackoff`.
    static let firstRetry = Duration.milliseconds(250)

    struct State {
        var current: RegistryModels?
        var reachable = false
        var refused: Set<Int> = []
        var statistics = Statistics()
        var expectedSchemaHash: UInt64?
        var listening = false
        /// The read through the pool still running (it may outlive its deadline), if any.
        var inFlight: PooledRead?
        /// The number the last read through the pool was given.
        var lastReadNumber = 0
        /// The production version the cache file holds.
        var cachedVersion: Int?
        /// Whether refreshes read through the long-lived pool: false from a failed read through it
        /// (or LISTEN dropping) until a connection from it works again.
        var poolTrusted = true
    }

    public let configuration: Configuration
    let url: DatabaseURL
    let logger: Logger
    let applyBox: NIOLockedValueBox<@Sendable (RegistryModels) -> Void>
    let client: PostgresClient
    /// postgres-nio's own log: errors only (it warns about queries queued before run() starts).
    let quietLogger: Logger
    let state: NIOLockedValueBox<State>
    let triggers: AsyncStream<Void>
    let trigger: AsyncStream<Void>.Continuation
    /// Signals that the pool is no longer trusted, for ``probePoolLoop()``.
    let poolDoubts: AsyncStream<Void>
    let doubtPool: AsyncStream<Void>.Continuation
    let metrics: RegistryMetrics

    /// Makes a watcher; nothing connects until ``loadInitial()`` or ``run()``.
    ///
    /// - Parameter metrics: where reachability, the served version, swaps, refusals and failed
    ///   reads are reported; default the process's metrics system.
    public init(
        url: DatabaseURL,
        configuration: Configuration,
        logger: Logger,
        metrics: RegistryMetrics? = nil,
        apply: @escaping @Sendable (RegistryModels) -> Void
    ) {
        self.url = url
        self.metrics = metrics ?? RegistryMetrics(modelName: configuration.modelName)
        self.configuration = configuration
        self.logger = logger
        self.applyBox = NIOLockedValueBox(apply)
        self.quietLogger = logger.quietened
        self.client = .background(url, logger: logger)
        self.state = NIOLockedValueBox(State(expectedSchemaHash: configuration.expectedSchemaHash))
        (self.triggers, self.trigger) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (self.poolDoubts, self.doubtPool) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Whether the last attempt to read the registry succeeded.
    public var isReachable: Bool { self.state.withLockedValue { $0.reachable } }

    /// Whether the LISTEN connection is up (notifications arrive).
    public var isListening: Bool { self.state.withLockedValue { $0.listening } }

    /// Whether refreshes read through the long-lived pool; false from a failed read through it
    /// (or LISTEN dropping) until a connection from it works again, while they read through
    /// connections of their own.
    public var readsThroughPool: Bool { self.state.withLockedValue { $0.poolTrusted } }

    /// Swaps, refusals and refreshes so far.
    public var statistics: Statistics { self.state.withLockedValue { $0.statistics } }

    /// The models served now (nil before the first load).
    public var current: RegistryModels? { self.state.withLockedValue { $0.current } }

    /// Replaces what is called with every new set of models (for a scorer made after
    /// ``loadInitial()``).
    public func onApply(_ apply: @escaping @Sendable (RegistryModels) -> Void) {
        self.applyBox.withLockedValue { $0 = apply }
    }

    /// Asks for a refresh now (as a notification does).
    public func refreshSoon() { self.trigger.yield() }

    // MARK: Running

    /// Watches until graceful shutdown or cancellation.
    public func run() async {
        self.metrics.readsThroughPool.record(self.readsThroughPool ? 1 : 0)
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            if self.configuration.listens { group.addTask { await self.listenLoop() } }
            group.addTask { await self.pollLoop() }
            group.addTask { await self.probePoolLoop() }
            // Refreshes run here, one at a time, until shutdown; then everything else stops.
            // A failed one is tried again after a backoff (doubling to `maxBackoff`), not only at
            // the next poll: with a long poll interval a notification whose refresh failed (a
            // read past `refreshTimeout`, a database restarting) would otherwise wait for it.
            var retryAfter = Self.firstRetry
            for await _ in self.triggers.cancelOnGracefulShutdown() {
                if await self.refresh() {
                    retryAfter = Self.firstRetry
                } else if !Task.isCancelled {
                    let wait = retryAfter
                    group.addTask {
                        guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: wait) })) != nil else {
                            return
                        }
                        self.trigger.yield()
                    }
                    retryAfter = min(retryAfter * 2, max(self.configuration.maxBackoff, Self.firstRetry))
                }
            }
            group.cancelAll()
        }
    }

    /// LISTEN on the channel; reconnect with backoff when the connection drops. After every
    /// (re)connection a refresh runs, to catch what was sent while not listening.
    func listenLoop() async {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // Raced against the connection's close: LISTEN sent on a connection that has
                // just closed would never be answered (ConnectionLossRace).
                try await self.client.withConnectionEndingAtClose("listening for registry changes") { connection in
                    try await connection.listen(on: ModelRegistry.channel) { notifications in
                        // Notifications are delivered only from here on: mark ready, then refresh.
                        self.state.withLockedValue { $0.listening = true }
                        self.trustPool()
                        self.trigger.yield()
                        for try await notification in notifications.cancelOnGracefulShutdown() {
                            if notification.payload == self.configuration.modelName {
                                self.state.withLockedValue { $0.statistics.notifications += 1 }
                                self.trigger.yield()
                            }
                        }
                    }
                }
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                self.logger.debug("registry LISTEN connection failed", metadata: ["error": "\(error)"])
            }
            // A connection that got as far as listening starts the backoff again.
            if self.state.withLockedValue({ $0.listening }) { backoff = .milliseconds(100) }
            self.state.withLockedValue { $0.listening = false }
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            self.distrustPool()
            let wait = backoff
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            backoff = min(backoff * 2, self.configuration.maxBackoff)
        }
    }

    func pollLoop() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.configuration.pollInterval) }
            } catch {
                break
            }
            self.trigger.yield()
        }
    }

    // MARK: Loading

    /// Loads what production (and canary, shadow) point at, before serving starts: from the
    /// registry, or, when the database cannot be reached, from the cache (verified by checksum).
    ///
    /// It uses a connection of its own, closed when it returns; ``run()`` opens its own.
    ///
    /// - Throws: ``RegistryError`` when the registry is down and nothing usable is cached, or
    ///   the registry has no production version.
    public func loadInitial(timeout: Duration = .seconds(10)) async throws(RegistryError) -> RegistryModels {
        let outcome: Result<RegistryModels, RegistryError>
        do throws(RegistryError) {
            outcome = .success(try await self.readDirectly(current: nil, within: timeout))
        } catch  where error.code == .unavailable {
            // One plain connection names the cause (refused, authentication failed) where the
            // read only ran out of time.
            do throws(RegistryError) {
                try await DatabaseProbe.check(self.url, within: .seconds(2), logger: self.quietLogger)
                outcome = .failure(error)
            } catch let reason {
                outcome = .failure(reason)
            }
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let models):
            self.install(models, reachable: true)
            await self.cacheProduction(models)
            return models
        case .failure(let error) where error.code == .unavailable:
            guard let cached = self.loadCache() else {
                throw RegistryError(
                    .unavailable,
                    "\(error.message); and no cached model in \(self.configuration.cacheDirectory ?? "(no cache directory)")"
                )
            }
            self.logger.warning(
                "registry unreachable at start-up: serving the cached model",
                metadata: [
                    "model": "\(cached.production.model.name)", "version": "\(cached.production.version)",
                    "error": "\(error.message)",
                ]
            )
            self.install(cached, reachable: false)
            return cached
        case .failure(let error):
            throw error
        }
    }

    /// One refresh: read the aliases, load and verify what moved, apply.
    ///
    /// The read goes through the long-lived pool while it is trusted, else through a client of
    /// its own (``ShortLivedClient``), so the registry is seen again within a poll of its return.
    ///
    /// - Returns: false when it failed (the registry counts as unreachable until one succeeds).
    @discardableResult
    func refresh() async -> Bool {
        let current = self.current
        self.state.withLockedValue { $0.statistics.refreshes += 1 }
        defer { self.state.withLockedValue { $0.statistics.finishedRefreshes += 1 } }
        do throws(RegistryError) {
            let models =
                self.state.withLockedValue({ $0.poolTrusted })
                ? try await self.readThroughPool(current: current)
                : try await self.readDirectlyForRefresh(current: current)
            let wasReachable = self.isReachable
            if !wasReachable { self.logger.info("registry reachable again") }
            if current.map({ $0.signature != models.signature }) ?? true {
                self.install(models, reachable: true)
                await self.cacheProduction(models)
                self.logger.info(
                    "serving new registry models",
                    metadata: [
                        "production": "\(models.production.version)",
                        "canary": "\(models.canary.map { "\($0.version) (\(models.canaryBasisPoints) bp)" } ?? "none")",
                        "shadow": "\(models.shadow.map { String($0.version) } ?? "none")",
                    ]
                )
            } else {
                self.state.withLockedValue { $0.reachable = true }
            }
            self.metrics.reachable.record(1)
            return true
        } catch {
            // The watcher is stopping: a read cut short by that says nothing about the registry.
            if Task.isCancelled { return false }
            self.metrics.reachable.record(0)
            self.metrics.failedRefreshes.increment()
            let wasReachable = self.state.withLockedValue { state in
                let was = state.reachable
                state.reachable = false
                state.statistics.failedRefreshes += 1
                return was
            }
            if wasReachable {
                self.logger.warning(
                    "registry unreachable: serving the last good models",
                    metadata: ["error": "\(error.message)"]
                )
            }
            return false
        }
    }

    /// What the aliases point at now, reusing `current`'s loaded versions and refusing (once)
    /// versions that fail their checks; an alias whose new version is refused keeps its old one.
    func fetch(_ registry: ModelRegistry, current: RegistryModels?) async throws(RegistryError) -> RegistryModels {
        let aliases = try await registry.aliases(name: self.configuration.modelName)
        guard let production = aliases.first(where: { $0.alias == .production }) else {
            if let current { return current }
            throw RegistryError(.notFound, "\(self.configuration.modelName) has no production version in the registry")
        }
        var known: [Int: RegistryModels.Loaded] = [:]
        if let current {
            for loaded in [current.production, current.canary, current.shadow].compactMap({ $0 }) {
                known[loaded.version] = loaded
            }
        }
        func load(_ version: Int, alias: AliasKind) async throws(RegistryError) -> RegistryModels.Loaded? {
            if let loaded = known[version] { return loaded }
            if self.state.withLockedValue({ $0.refused.contains(version) }) { return nil }
            let record = try await registry.artifact(name: self.configuration.modelName, version: version)
            // Production's bytes go to the cache as downloaded, once verified: no re-encoding.
            // Should this refresh fail after this point, the cache already holds the version the
            // registry names as production, which is what a start-up without the database wants.
            let cachesBytes = alias == .production
            do throws(RegistryError) {
                let loaded = try await ModelLoadingThread.load { () throws(RegistryError) in
                    let loaded = try self.verify(record)
                    if cachesBytes { self.writeCache(version: record.version, artifact: record.artifact) }
                    return loaded
                }
                known[version] = loaded
                return loaded
            } catch  where error.code == .unavailable {
                throw error
            } catch {
                await self.refuse(version: version, alias: alias, reason: error.message, registry: registry)
                return nil
            }
        }
        let productionModel = try await load(production.version, alias: .production)
        guard let productionModel = productionModel ?? current?.production else {
            throw RegistryError(
                .invalidArtifact,
                "production version \(production.version) of \(self.configuration.modelName) was refused and nothing else is serving"
            )
        }
        var models = RegistryModels(production: productionModel)
        if let canary = aliases.first(where: { $0.alias == .canary }) {
            if let loaded = try await load(canary.version, alias: .canary) {
                models.canary = loaded
                models.canaryBasisPoints = canary.trafficBasisPoints
            } else if let old = current?.canary {
                models.canary = old
                models.canaryBasisPoints = current?.canaryBasisPoints ?? 0
            }
        }
        if let shadow = aliases.first(where: { $0.alias == .shadow }) {
            models.shadow = try await load(shadow.version, alias: .shadow) ?? current?.shadow
        }
        return models
    }

    /// Checks a downloaded version: its bytes' SHA-256, the artifact itself, the feature schema
    /// and the golden inputs.
    func verify(_ record: ModelArtifactRecord) throws(RegistryError) -> RegistryModels.Loaded {
        let sha = ModelRegistry.hex(SHA256.hash(record.artifact))
        guard sha == record.sha256 else {
            throw RegistryError(
                .invalidArtifact,
                "version \(record.version)'s artifact hashes to \(sha.prefix(12))…, the registry recorded \(record.sha256.prefix(12))…"
            )
        }
        let model: TrainedModel
        do {
            model = try TrainedModel(artifactFile: record.artifact)
        } catch {
            throw RegistryError(.invalidArtifact, "version \(record.version) does not load: \(error.message)")
        }
        let expected = self.state.withLockedValue { $0.expectedSchemaHash ?? $0.current?.production.model.schema.hash }
        if let expected, expected != model.schema.hash {
            throw RegistryError(
                .schemaMismatch,
                "version \(record.version)'s feature schema \(Hex.fixed64(model.schema.hash)) is not this cluster's \(Hex.fixed64(expected))"
            )
        }
        try record.golden.verify(model)
        return RegistryModels.Loaded(version: record.version, model: model, sha256: sha)
    }

    func refuse(version: Int, alias: AliasKind, reason: String, registry: ModelRegistry) async {
        self.state.withLockedValue { state in
            state.refused.insert(version)
            state.statistics.refusals += 1
        }
        self.metrics.refusals.increment()
        self.logger.error(
            "refused a registry version: the old model keeps serving",
            metadata: [
                "model": "\(self.configuration.modelName)", "version": "\(version)", "alias": "\(alias.rawValue)",
                "reason": "\(reason)",
            ]
        )
        try? await registry.recordRefusal(
            name: self.configuration.modelName,
            alias: alias.rawValue,
            version: version,
            actor: self.configuration.scorerID,
            reason: reason,
            action: "swap-refused"
        )
    }

    func install(_ models: RegistryModels, reachable: Bool) {
        let swapped = self.state.withLockedValue { state in
            let swapped = state.current != nil
            if swapped { state.statistics.swaps += 1 }
            state.current = models
            state.reachable = reachable
            if state.expectedSchemaHash == nil { state.expectedSchemaHash = models.production.model.schema.hash }
            return swapped
        }
        if swapped { self.metrics.swaps.increment() }
        self.metrics.reachable.record(reachable ? 1 : 0)
        self.metrics.productionVersion.record(models.production.version)
        self.applyBox.withLockedValue { $0 }(models)
    }

    // MARK: Cache

    var cachePath: String? {
        self.configuration.cacheDirectory.map { "\($0)/\(self.configuration.modelName).registry-cache" }
    }

    /// Makes the cache hold production's model when it does not already: a version served
    /// again from memory (a canary promoted to production) is re-encoded, at low priority.
    func cacheProduction(_ models: RegistryModels) async {
        let production = models.production
        guard self.cachePath != nil, self.state.withLockedValue({ $0.cachedVersion }) != production.version else {
            return
        }
        try? await ModelLoadingThread.load {
            self.writeCache(version: production.version, artifact: production.model.artifactFile())
        }
    }

    /// Writes a production artifact with its version (`version\n` then the artifact file),
    /// atomically: a temporary file renamed over the old one.
    func writeCache(version: Int, artifact: [UInt8]) {
        guard let path = self.cachePath, let directory = self.configuration.cacheDirectory else { return }
        let temporary = "\(path).\(UInt32.random(in: 0...UInt32.max)).tmp"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary, contents: Data("\(version)\n".utf8)) else {
                throw CocoaError(.fileWriteUnknown)
            }
            guard let handle = FileHandle(forWritingAtPath: temporary) else { throw CocoaError(.fileWriteUnknown) }
            defer { try? handle.close() }
            try handle.seekToEnd()
            // The artifact as it is, without a copy into Data.
            try artifact.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                try handle.write(
                    contentsOf: Data(
                        bytesNoCopy: UnsafeMutableRawPointer(mutating: base),
                        count: bytes.count,
                        deallocator: .none
                    )
                )
            }
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
            self.state.withLockedValue { $0.cachedVersion = version }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            self.logger.warning("cannot write the model cache", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    /// The cached production model, verified by its artifact checksum; nil if absent or damaged.
    func loadCache() -> RegistryModels? {
        guard let path = self.cachePath, let data = FileManager.default.contents(atPath: path),
            let newline = data.firstIndex(of: UInt8(ascii: "\n")),
            let version = Int(String(decoding: data[data.startIndex..<newline], as: UTF8.self))
        else { return nil }
        let artifact = [UInt8](data[(newline + 1)...])
        do {
            let model = try TrainedModel(artifactFile: artifact)
            guard model.name == self.configuration.modelName else { return nil }
            self.state.withLockedValue { $0.cachedVersion = version }
            return RegistryModels(
                production: .init(version: version, model: model, sha256: ModelRegistry.hex(SHA256.hash(artifact)))
            )
        } catch {
            self.logger.error(
                "the cached model is damaged: ignored",
                metadata: ["path": "\(path)", "error": "\(error)"]
            )
            return nil
        }
    }
}
