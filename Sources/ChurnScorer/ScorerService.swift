public import ChurnModel
public import ChurnTransport
internal import ChurnWire
public import Logging
internal import NIOCore
public import ServiceLifecycle

/// A scorer node: serves `Score`, `ScoreBatch`, `Customers.Trend`, `Ingest` and `Health` over TLS HTTP/2 with the
/// model in its ``ModelHolder`` and, for calls by CRM number alone, the histories in its ``CustomerBook``, which
/// ingested events keep current. A `ServiceLifecycle` service: on SIGTERM it stops accepting connections,
/// reports `DRAINING`, lets the calls in flight finish, and returns.
///
/// ```swift
/// let scorer = try ScorerService(configuration: configuration, model: try TrainedModel(artifactFile: bytes), logger: logger)
/// let group = ServiceGroup(services: [scorer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public struct ScorerService: Service {
    /// The model every call reads; swap it to serve another.
    public let models: ModelHolder
    /// The health answer, which turns to `DRAINING` on graceful shutdown.
    public let health: HealthHandler
    private let server: RPCServer

    /// Makes the service, serving `model` as version `configuration.model.version` with the
    /// configured rules; nothing listens until ``run()``.
    ///
    /// - Parameter listening: called with the address once it listens (the port, if 0 was asked for).
    /// - Throws: ``TransportError`` when the TLS files cannot be used.
    /// - Parameters:
    ///   - registryReachable: what health reports as the registry's reachability.
    ///   - shadowSink: receives the unary calls a shadow version scored beside production.
    ///   - customers: the histories calls without features are scored from; nil: callers must
    ///     send features.
    ///   - ingest: where `Ingest` calls' events are recorded (the writer, which updates
    ///     `customers` on commit); nil: this scorer answers them `UNAVAILABLE`.
    public init(
        configuration: ScorerConfiguration,
        model: TrainedModel,
        logger: Logger,
        listening: @escaping @Sendable (String, Int) -> Void = { _, _ in },
        registryReachable: @escaping @Sendable () -> Bool = { false },
        shadowSink: (@Sendable (ShadowScore) -> Void)? = nil,
        customers: CustomerBook? = nil,
        ingest: IngestHandlers.Sink? = nil
    ) throws(TransportError) {
        let models = ModelHolder(
            ServingModel(model: model, version: configuration.model.version, rules: configuration.rules)
        )
        let health = HealthHandler(nodeID: configuration.nodeID, models: models, registryReachable: registryReachable)
        let scoring = ScoringHandlers(
            models: models,
            maxTopDrivers: configuration.maxTopDrivers,
            shadowSink: shadowSink,
            customers: customers
        )
        var router = RPCRouter()
        router.register(ScoringService.score) { request, context throws(RPCError) in
            try scoring.score(request, context: context)
        }
        router.register(ScoringService.scoreBatch) { request, context throws(RPCError) in
            try scoring.scoreBatch(request, context: context)
        }
        let customersHandlers = CustomersHandlers(customers: customers)
        router.register(CustomersService.trend) { request, context throws(RPCError) in
            try customersHandlers.trend(request, context: context)
        }
        let ingestHandlers = IngestHandlers(sink: ingest)
        for method in [IngestService.ingest, IngestService.ingestStream] {
            router.register(
                method,
                completingLater: { request, context, eventLoop in
                    ingestHandlers.ingest(request, context: context, eventLoop: eventLoop)
                }
            )
        }
        router.register(HealthService.check) { request, context throws(RPCError) in
            health.check(request, context: context)
        }
        self.models = models
        self.health = health
        self.server = try RPCServer(
            configuration: configuration.server,
            router: router,
            logger: logger,
            events: RPCServer.Events(
                listening: { address in listening(address.ipAddress ?? "?", address.port ?? 0) },
                draining: { health.beginDraining() }
            )
        )
    }

    /// Serves until graceful shutdown (then drains) or cancellation.
    public func run() async throws {
        try await self.server.run()
    }
}
