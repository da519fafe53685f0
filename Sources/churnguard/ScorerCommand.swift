import ArgumentParser
import ChurnModel
import ChurnRegistry
import ChurnScorer
import ChurnTransport
import ChurnWire
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// Runs a scorer node until SIGTERM or SIGINT.
struct ScorerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorer",
        abstract: "Run a scorer node: Score, ScoreBatch, Trend, Ingest and Health over TLS 1.3 HTTP/2.",
        discussion: """
            Configure it with a TOML file (--config; the keys are in the README) or with flags, \
            which override the file. The quickest start: `churnguard certs dev --out certs`, then \
            `churnguard scorer --tls-dir certs`, which serves the built-in demo model on \
            127.0.0.1:7443 and requires callers to present a certificate from certs/ca.pem. \
            SIGTERM or Ctrl-C stops accepting connections, reports DRAINING, lets calls in flight \
            finish (up to the grace period) and exits 0.

            With --customers-from-database the scorer holds every customer's monthly history \
            (customer_months, which `churnguard demo-data --to-database` fills) and callers may \
            score a customer by CRM number and product group alone: the scorer derives the \
            features as of --scoring-day. It then also takes activity events (Ingest, \
            `churnguard ingest`): each call is answered once its events are committed to \
            PostgreSQL, and the histories of every scorer on that database include them.
            """
    )

    @Option(help: "A scorer configuration file (TOML).")
    var config: String?

    @Option(help: "The address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "The port to listen on; 0 picks a free one (default 7443).")
    var port: Int?

    @Option(
        help:
            "A folder from `churnguard certs dev`: serve node.pem/node.key and require client certificates from its ca.pem."
    )
    var tlsDir: String?

    @Flag(help: "With --tls-dir: do not ask callers for a certificate.")
    var noClientCertificates = false

    @Option(help: "A model artifact to serve (default: the configuration's, else the built-in demo model).")
    var model: String?

    @Option(
        help: """
            Serve this model name from the registry (production, its canary share and shadow), hot-swapped \
            on every promotion; needs --database-url or $CHURNGUARD_DATABASE_URL.
            """
    )
    var registryModel: String?

    @OptionGroup var database: DatabaseOptions

    @Option(
        help: """
            With --registry-model or --customers-from-database: where the last production model and the customer \
            histories are cached for start-ups with the database down (default .data/model-cache).
            """
    )
    var cacheDir: String?

    @Option(
        help:
            "With --registry-model: how often to poll the registry besides LISTEN/NOTIFY, in milliseconds (default 2000)."
    )
    var pollIntervalMs: Int?

    @Flag(
        help: """
            Load every customer's monthly history from the database (--database-url or \
            $CHURNGUARD_DATABASE_URL) at start, so calls without features are scored from it.
            """
    )
    var customersFromDatabase = false

    @Option(
        help: """
            With --customers-from-database: the day features are derived as of: today (UTC, the \
            default), latest-activity (the last active day in the data, for data that ended in \
            the past) or YYYY-MM-DD.
            """
    )
    var scoringDay: String?

    @Option(help: "Write the port listened on to this file once listening (for scripts using --port 0).")
    var portFile: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    @Option(
        help: """
            Serve Prometheus metrics at http://METRICS-HOST:PORT/metrics (plain HTTP; 0 picks a free port): \
            registry reachability, the production version, swaps, refusals, failed registry reads, \
            calls shed for overload and the customers held.
            """
    )
    var metricsPort: Int?

    @Option(help: "With --metrics-port: the address to listen on (default 127.0.0.1; metrics are not behind TLS).")
    var metricsHost = "127.0.0.1"

    @Option(help: "With --metrics-port: write the metrics port to this file once listening.")
    var metricsPortFile: String?

    func validate() throws {
        if let port = self.port, !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
        if let port = self.metricsPort, !(0...65535).contains(port) {
            throw ValidationError("--metrics-port must be 0 to 65535")
        }
        guard Logger.Level(rawValue: self.logLevel) != nil else { throw ValidationError("unknown --log-level") }
        if let interval = self.pollIntervalMs, !(100...600_000).contains(interval) {
            throw ValidationError("--poll-interval-ms must be 100 to 600000")
        }
        guard self.registryModel == nil || self.model == nil else {
            throw ValidationError("choose --model (a file) or --registry-model (the registry), not both")
        }
        if let day = self.scoringDay, ScoringDay(day) == nil {
            throw ValidationError("--scoring-day must be today, latest-activity or YYYY-MM-DD, got '\(day)'")
        }
        guard self.config != nil || self.tlsDir != nil else {
            throw ValidationError("give --config FILE or --tls-dir DIR (make one with `churnguard certs dev`)")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: self.logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "churnguard.scorer")
        // Metrics first: the registry watcher makes its counters when it is created.
        var metricsEndpoint: MetricsEndpoint?
        if let metricsPort = self.metricsPort {
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let portFile = self.metricsPortFile
            metricsEndpoint = MetricsEndpoint(
                registry: registry,
                host: self.metricsHost,
                port: metricsPort,
                logger: logger
            ) {
                port in
                if let portFile {
                    _ = FileManager.default.createFile(atPath: portFile, contents: Data("\(port)\n".utf8))
                }
            }
        }
        do {
            let configuration = try self.configuration()
            var watcher: RegistryWatcher?
            var initial: RegistryModels?
            var recorder: ShadowRecorder?
            if let name = configuration.registry.model {
                let url = try Self.registryURL(configuration.registry, for: "serving from the registry")
                recorder = ShadowRecorder(url: url, scorerID: configuration.nodeID, logger: logger)
                // Models will be swapped: give their memory back when they go.
                FreedMemory.returnLargeBlocksPromptly()
                let watching = RegistryWatcher(
                    url: url,
                    configuration: .init(
                        modelName: name,
                        pollInterval: .milliseconds(configuration.registry.pollIntervalMilliseconds),
                        cacheDirectory: configuration.registry.cacheDirectory,
                        scorerID: configuration.nodeID
                    ),
                    logger: logger
                ) { _ in }
                initial = try await watching.loadInitial()
                watcher = watching
            }
            var customers: CustomerBook?
            var writer: IngestWriter?
            var follower: CustomerChangeFollower?
            if configuration.customers.fromDatabase {
                let url = try Self.registryURL(configuration.registry, for: "loading customer histories")
                let historyCache = "\(configuration.registry.cacheDirectory)/customers.history-cache"
                let loaded = try await CustomerLoading.book(
                    url: url,
                    scoringDay: configuration.customers.scoringDay,
                    cacheFile: historyCache,
                    logger: logger
                )
                customers = loaded.book
                Gauge(label: "churnguard_customers_held").record(customers?.count ?? 0)
                // Unique to this process: node ids need not be (scorers started from the command line
                // are all scorer-1), and a follower skips only its own writer's commits.
                let source = "\(configuration.nodeID)/\(UUID().uuidString.prefix(8))"
                writer = IngestWriting.writer(url: url, book: customers!, source: source, logger: logger)
                follower = IngestWriting.follower(
                    url: url,
                    book: loaded.book,
                    after: loaded.snapshot,
                    source: source,
                    cacheFile: historyCache,
                    logger: logger
                )
            }
            let model = try initial?.production.model ?? Self.loadModel(configuration.model.artifact)
            let portFile = self.portFile
            let reachability = watcher
            let scorer = try ScorerService(
                configuration: configuration,
                model: model,
                logger: logger,
                listening: { host, port in
                    if let portFile {
                        _ = FileManager.default.createFile(atPath: portFile, contents: Data("\(port)\n".utf8))
                    }
                },
                registryReachable: { reachability?.isReachable ?? false },
                shadowSink: recorder.map(RegistryServing.shadowSink),
                customers: customers,
                ingest: writer.map(IngestWriting.sink)
            )
            // The writer first: services stop in reverse order, so it commits the last events
            // after the server has drained.
            var services: [any Service] = (writer.map { [$0] } ?? []) + [scorer]
            if let initial, let watcher {
                let rules = configuration.rules
                let holder = scorer.models
                holder.replace(with: RegistryServing.servingModels(initial, rules: rules))
                watcher.onApply { models in
                    holder.replace(with: RegistryServing.servingModels(models, rules: rules))
                    // The old models go with their last calls; then their memory goes back to the system.
                    FreedMemory.release(after: .seconds(1))
                }
                services.append(watcher)
            }
            if let recorder { services.append(recorder) }
            if let follower { services.append(follower) }
            if let metricsEndpoint { services.append(metricsEndpoint) }
            let served = scorer.models.current.identity
            logger.info(
                "serving",
                metadata: [
                    "node": "\(configuration.nodeID)", "model.name": "\(served.name)",
                    "model.version": "\(served.version)",
                    "source":
                        "\(self.registryModel.map { _ in "registry" } ?? (configuration.model.artifact ?? "built-in demo"))",
                    "mutual_tls": "\(configuration.server.tls.clientCertificateCA != nil)",
                    "customers":
                        "\(customers.map { "\($0.count) as of \($0.scoringDay.text)" } ?? "none: callers send features")",
                ]
            )
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: services,
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                )
            )
            try await group.run()
        } catch let error as ConfigurationError {
            logger.error("\(error)")
            throw ExitCode(2)
        } catch let error as TransportError {
            logger.error("\(error)")
            throw ExitCode(1)
        } catch let error as ModelError {
            logger.error("cannot load the model: \(error)")
            throw ExitCode(1)
        } catch let error as RegistryError {
            logger.error("registry: \(error)")
            throw ExitCode(1)
        }
    }

    func configuration() throws -> ScorerConfiguration {
        var configuration: ScorerConfiguration
        if let path = self.config {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError("cannot read the configuration file '\(path)'")
            }
            let directory = (path as NSString).deletingLastPathComponent
            configuration = try ScorerConfiguration(
                toml: String(decoding: data, as: UTF8.self),
                source: path,
                relativeTo: directory
            )
        } else {
            let directory = self.tlsDir!
            configuration = ScorerConfiguration(
                server: RPCServerConfiguration(
                    tls: ServerTLS(
                        certificateChain: "\(directory)/node.pem",
                        privateKey: "\(directory)/node.key",
                        clientCertificateCA: "\(directory)/ca.pem"
                    )
                )
            )
        }
        if let directory = self.tlsDir, self.config != nil {
            configuration.server.tls = ServerTLS(
                certificateChain: "\(directory)/node.pem",
                privateKey: "\(directory)/node.key",
                clientCertificateCA: "\(directory)/ca.pem"
            )
        }
        if self.noClientCertificates { configuration.server.tls.clientCertificateCA = nil }
        if let host = self.host { configuration.server.host = host }
        if let port = self.port { configuration.server.port = port }
        // A flag naming a source replaces the file's source.
        if let model = self.model {
            configuration.model.artifact = model
            configuration.registry.model = nil
        }
        if let name = self.registryModel {
            configuration.registry.model = name
            configuration.model.artifact = nil
        }
        if let url = self.database.databaseURL { configuration.registry.databaseURL = url }
        if let directory = self.cacheDir { configuration.registry.cacheDirectory = directory }
        if let interval = self.pollIntervalMs { configuration.registry.pollIntervalMilliseconds = interval }
        if self.customersFromDatabase { configuration.customers.fromDatabase = true }
        if let day = self.scoringDay.flatMap(ScoringDay.init) { configuration.customers.scoringDay = day }
        return configuration
    }

    /// The registry's URL: the configuration's, else $CHURNGUARD_DATABASE_URL.
    static func registryURL(_ registry: ScorerConfiguration.Registry, for purpose: String) throws -> DatabaseURL {
        guard let text = registry.databaseURL ?? ProcessInfo.processInfo.environment["CHURNGUARD_DATABASE_URL"],
            !text.isEmpty
        else {
            throw ConfigurationError(
                "\(purpose) needs a database: [registry] database_url, --database-url or $CHURNGUARD_DATABASE_URL"
            )
        }
        do {
            return try DatabaseURL(text)
        } catch {
            throw ConfigurationError("the registry's database URL: \(error.message)")
        }
    }

    static func loadModel(_ path: String?) throws -> TrainedModel {
        guard let path else { return TrainedModel.demo() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read the model artifact '\(path)'")
        }
        return try TrainedModel(artifactFile: [UInt8](data))
    }
}
