import ArgumentParser
import ChurnCertificates
import ChurnClient
import ChurnDatasets
import ChurnModel
import ChurnRegistry
import ChurnScorer
import ChurnTransport
import ChurnWire
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// The main job: a registry in PostgreSQL with two freshly trained versions and the customers'
/// histories, a scorer node that serves production from it and holds the histories, and a caller
/// scoring customers by CRM number through mutual TLS over HTTP/2, one by one and as a streamed
/// batch, while the registry promotes and rolls back under load.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train, publish and serve models through the registry, and score customers through TLS.",
        discussion: """
            Uses the PostgreSQL of $CHURNGUARD_DATABASE_URL, or else starts a private one \
            (ops/postgres, data in .data/postgres, a free port of 127.0.0.1) and migrates it. Trains \
            two versions of churn-demo on a seeded demo customer base, publishes both and promotes \
            the first, and stores the customers' monthly histories (customer_months, replacing what \
            is there). Mints development certificates into a fresh temporary folder, starts a scorer \
            on a free port that requires client certificates, follows the registry and holds the \
            histories, then, as a caller with ChurnClient: asks its health, scores every customer by \
            CRM number alone in one streamed batch, shows four of them with their top drivers, \
            times --calls unary calls by CRM number one after another, streams --rows rows of \
            supplied features in frames of --frame-rows, shows the typed errors an unknown customer \
            and a mismatched feature schema get, promotes the second version and rolls it back while \
            four callers score without pause, and shuts the scorer down gracefully. Exits 1 if any \
            call that should succeed fails or names a version that was not live.
            """
    )

    @Option(help: "Unary calls to time, one after another.")
    var calls = 2000

    @Option(help: "Rows in the streamed batch.")
    var rows = 1_000_000

    @Option(help: "Rows per batch frame.")
    var frameRows = 1000

    @Option(help: "The private PostgreSQL's folder, when $CHURNGUARD_DATABASE_URL is not set.")
    var dataDir = ".data/postgres"

    func validate() throws {
        guard (1...1_000_000).contains(self.calls) else { throw ValidationError("--calls must be 1 to 1000000") }
        guard (1...100_000_000).contains(self.rows) else { throw ValidationError("--rows must be 1 to 100000000") }
        guard (1...100_000).contains(self.frameRows) else { throw ValidationError("--frame-rows must be 1 to 100000") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let logger = Logger(label: "churnguard.demo")
        let url = try Self.database(dataDirectory: self.dataDir)
        let base = DemoModels.base()
        let timelines = base.timelines()
        let (published, registryURL) = try await Self.prepareRegistry(url, base: base, timelines: timelines)
        try await HistoryDatabase.store(timelines, url: registryURL, command: "demo")
        let customers = try await CustomerLoading.book(url: registryURL, scoringDay: .latestActivity, logger: logger)
            .book
        print(
            "  stored and loaded the histories of \(customers.count) customers; the scorer scores them as of \(customers.scoringDay.text), the data's last active day"
        )

        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try DevelopmentCertificates.make().write(to: directory)
        print("\nDevelopment certificates (CA, node, client) in \(directory)")

        let configuration = ScorerConfiguration(
            nodeID: "demo-scorer",
            server: RPCServerConfiguration(
                port: 0,
                tls: ServerTLS(
                    certificateChain: files.nodeCertificate,
                    privateKey: files.nodePrivateKey,
                    clientCertificateCA: files.caCertificate
                ),
                shutdownGracePeriod: .seconds(5)
            )
        )
        // Models will be swapped: give their memory back when they go.
        FreedMemory.returnLargeBlocksPromptly()
        let watcher = RegistryWatcher(
            url: registryURL,
            configuration: .init(
                modelName: DemoModels.name,
                pollInterval: .seconds(2),
                cacheDirectory: ".data/model-cache",
                scorerID: configuration.nodeID
            ),
            logger: logger
        ) { _ in }
        let initial = try await watcher.loadInitial()
        let recorder = ShadowRecorder(url: registryURL, scorerID: configuration.nodeID, logger: logger)
        // latest-activity is fixed to a day when the book is made.
        let scoringDay: Int
        if case .fixed(let day) = customers.scoringDay {
            scoringDay = day
        } else {
            scoringDay = ScoringDay.currentUTCDay()
        }
        let writer = IngestWriting.writer(
            url: registryURL,
            book: customers,
            source: configuration.nodeID,
            logger: logger
        )
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let scorer = try ScorerService(
            configuration: configuration,
            model: initial.production.model,
            logger: logger,
            listening: { _, port in
                portContinuation.yield(port)
                portContinuation.finish()
            },
            registryReachable: { watcher.isReachable },
            shadowSink: RegistryServing.shadowSink(recorder),
            customers: customers,
            ingest: IngestWriting.sink(writer)
        )
        let holder = scorer.models
        let rules = configuration.rules
        holder.replace(with: RegistryServing.servingModels(initial, rules: rules))
        watcher.onApply { models in
            holder.replace(with: RegistryServing.servingModels(models, rules: rules))
            // The old models go with their last calls; then their memory goes back to the system.
            FreedMemory.release(after: .seconds(1))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                // The writer first: services stop in reverse order, so it outlives the server's drain.
                services: [writer, scorer, watcher, recorder],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        let failures = try await withThrowingTaskGroup(of: Int.self) { tasks in
            tasks.addTask {
                try await group.run()
                return 0
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ExitCode(1) }
            print("Scorer listening on 127.0.0.1:\(port) (TLS 1.3, ALPN h2, client certificates required)\n")
            let client = ChurnClientConfiguration(
                target: RPCConnection.Target(host: "127.0.0.1", port: port),
                tls: ClientTLS(
                    trustRoots: files.caCertificate,
                    certificateChain: files.clientCertificate,
                    privateKey: files.clientPrivateKey
                )
            )
            let failures = try await ChurnClient.withClient(configuration: client, logger: logger) { client in
                var failures = try await DemoCaller(
                    client: client,
                    customers: timelines.map { ($0.crm, $0.productGroup) },
                    calls: self.calls,
                    rows: self.rows,
                    frameRows: self.frameRows,
                    scoringDay: scoringDay
                ).run()
                failures += try await RegistrySession.with(registryURL) { registry in
                    try await DemoSwap(
                        client: client,
                        registry: registry,
                        name: DemoModels.name,
                        from: published[0],
                        to: published[1],
                        customers: timelines.map { ($0.crm, $0.productGroup) }
                    ).run()
                }
                return failures
            }
            print("\nShutting the scorer down gracefully (drains calls in flight)…")
            await group.triggerGracefulShutdown()
            while let result = try await tasks.next() { return failures + result }
            return failures
        }
        if failures > 0 {
            print("\n\(failures) call(s) failed")
            throw ExitCode(1)
        }
        print("Done: every call answered.")
    }

    /// $CHURNGUARD_DATABASE_URL, or a private server of its own.
    static func database(dataDirectory: String) throws -> DatabaseURL {
        if let text = ProcessInfo.processInfo.environment["CHURNGUARD_DATABASE_URL"], !text.isEmpty {
            let url = try DatabaseURL(text)
            print("Registry: PostgreSQL at \(url) (CHURNGUARD_DATABASE_URL)")
            return url
        }
        let url = try DatabaseURL(try PrivatePostgres.start(directory: dataDirectory, ephemeral: false))
        print(
            "Registry: a private PostgreSQL at \(url), data in \(dataDirectory) (set CHURNGUARD_DATABASE_URL to use another)"
        )
        return url
    }

    /// Migrates, trains two versions, publishes both and promotes the first; their versions.
    static func prepareRegistry(
        _ url: DatabaseURL,
        base: DemoCustomerBase,
        timelines: [CustomerTimeline]
    ) async throws -> ([Int], DatabaseURL) {
        let versions = try await RegistrySession.with(url, requireMigrated: false) { registry in
            let applied = try await Migrator(client: registry.client, logger: RegistrySession.logger).migrate()
            print(
                applied.isEmpty
                    ? "  schema up to date"
                    : "  migrated (migration \(applied.map(String.init).joined(separator: ", ")))"
            )
            let models = try DemoModels.train(on: base, timelines: timelines)
            var versions: [Int] = []
            for model in models {
                let record = try await registry.publish(artifactFile: model.artifactFile(), actor: "churnguard demo")
                versions.append(record.version)
                print(
                    "  published \(record.name) v\(record.version) (\(record.format), sha256 \(record.sha256.prefix(12))…)"
                )
            }
            try await registry.promote(
                name: DemoModels.name,
                version: versions[0],
                to: .production,
                actor: "churnguard demo"
            )
            print("  promoted \(DemoModels.name) v\(versions[0]) to production")
            return versions
        }
        return (versions, url)
    }

    static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "churnguard-demo-XXXXXX").utf8CString)
        guard let path = mkdtemp(&template) else { throw ValidationError("cannot create a temporary folder") }
        return String(cString: path)
    }
}
