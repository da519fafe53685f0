public import ChurnTransport
public import ChurnWire
public import Logging
public import NIOCore
public import NIOPosix

/// The Swift SDK internal services call ChurnGuard with: pooled TLS HTTP/2 connections, many
/// calls multiplexed on each, deadlines on every call, and retries only where a retry can help.
///
/// ```swift
/// let configuration = ChurnClientConfiguration(
///     target: try .init(parsing: "127.0.0.1:7443"),
///     tls: ClientTLS(trustRoots: "certs/ca.pem", certificateChain: "certs/client.pem", privateKey: "certs/client.key")
/// )
/// try await ChurnClient.withClient(configuration: configuration, logger: logger) { client in
///     let model = try await client.health().model
///     let answer = try await client.score(
///         ScoreRequest(crm: 4711, productGroup: "fuel-cards", featureSchemaHash: model.featureSchemaHash,
///                      features: row, topDrivers: 3)
///     )
///     print(answer.probability, answer.riskBand, answer.drivers.map(\.name))
/// }
/// ```
public final class ChurnClient: Sendable {
    /// How the client connects, waits and retries.
    public let configuration: ChurnClientConfiguration
    private let pool: ConnectionPool
    private let logger: Logger

    /// Makes a client; it connects on the first call. Call ``close()`` when done, or use
    /// ``withClient(configuration:eventLoopGroup:logger:_:)``.
    public init(
        configuration: ChurnClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.logger = logger
        self.pool = ConnectionPool(configuration: configuration, group: eventLoopGroup, logger: logger)
    }

    /// Runs `body` with a client and closes it afterwards, whether `body` returns or throws.
    public static func withClient<Result: Sendable>(
        configuration: ChurnClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        _ body: (ChurnClient) async throws -> Result
    ) async throws -> Result {
        let client = ChurnClient(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    /// Scores one customer.
    ///
    /// - Parameter timeout: how long to wait, retries included; default the configuration's.
    /// - Throws: ``RPCError``: the scorer's (such as `invalidArgument` naming the field), or
    ///   `unavailable` / `deadlineExceeded` from the connection.
    public func score(_ request: ScoreRequest, timeout: Duration? = nil) async throws(RPCError) -> ScoreResponse {
        try await self.unary(ScoringService.score, request, timeout: timeout ?? self.configuration.defaultTimeout)
    }

    /// A customer's monthly trend, from the history the scorer holds (a scorer started with
    /// `--customers-from-database`).
    ///
    /// - Throws: ``RPCError``: `notFound` when the scorer holds no history of the customer.
    public func trend(_ request: TrendRequest, timeout: Duration? = nil) async throws(RPCError) -> TrendResponse {
        try await self.unary(CustomersService.trend, request, timeout: timeout ?? self.configuration.defaultTimeout)
    }

    /// Records activity events (a scorer started with `--customers-from-database`); the answer
    /// comes once they are committed to PostgreSQL, and the scorer's histories include them.
    /// Retried like every call: an event id already recorded is answered as a duplicate, never
    /// applied twice, so retrying is safe.
    ///
    /// - Throws: ``RPCError``: `invalidArgument` naming the bad event (nothing of the request is
    ///   recorded then); `unavailable` when the database failed; `overloaded` when it is behind.
    public func ingest(_ request: IngestRequest, timeout: Duration? = nil) async throws(RPCError) -> IngestResponse {
        try await self.unary(IngestService.ingest, request, timeout: timeout ?? self.configuration.defaultTimeout)
    }

    /// Asks the node how it is: serving or draining, its model and that model's feature-schema hash.
    ///
    /// - Throws: ``RPCError``.
    public func health(timeout: Duration? = nil) async throws(RPCError) -> HealthResponse {
        try await self.unary(
            HealthService.check,
            HealthRequest(),
            timeout: timeout ?? self.configuration.defaultTimeout
        )
    }

    /// Scores one frame of rows (`ScoreBatch` with a single frame): the answer has a probability
    /// per row, in order. Sent and answered as a unary call is, and retried like one (scoring
    /// changes nothing, so sending a frame again is safe). For more rows than one frame should
    /// hold, stream frames with ``scoreBatch(_:timeout:handleResponses:)``.
    ///
    /// - Parameter timeout: how long to wait, retries included; default the configuration's.
    /// - Throws: ``RPCError``: the scorer's (such as `invalidArgument` naming the field), or
    ///   `unavailable` / `deadlineExceeded` from the connection.
    public func scoreBatch(
        _ request: ScoreBatchRequest,
        timeout: Duration? = nil
    ) async throws(RPCError) -> ScoreBatchResponse {
        try await self.retrying(
            ScoringService.scoreBatch.descriptor,
            timeout: timeout ?? self.configuration.defaultTimeout
        ) { connection, remaining throws(RPCError) in
            try await connection.singleFrame(ScoringService.scoreBatch, request, timeout: remaining)
        }
    }

    /// Scores a stream of row frames on one HTTP/2 stream: `requests` are sent as they come while
    /// `handleResponses` reads one answer per frame, in order. Memory stays bounded both ways.
    /// Not retried: the requests are consumed as they are sent.
    ///
    /// ```swift
    /// let scored = try await client.scoreBatch(frames) { answers in
    ///     var rows = 0
    ///     for try await answer in answers { rows += answer.crms.count }
    ///     return rows
    /// }
    /// ```
    ///
    /// - Parameter timeout: for the whole stream; nil (the default) waits as long as it takes.
    /// - Throws: ``RPCError``, or what `requests` or `handleResponses` throw.
    public func scoreBatch<Requests: AsyncSequence & Sendable, Result: Sendable>(
        _ requests: Requests,
        timeout: Duration? = nil,
        handleResponses: (RPCResponseStream<ScoreBatchResponse>) async throws -> Result
    ) async throws -> Result where Requests.Element == ScoreBatchRequest {
        try await self.stream(ScoringService.scoreBatch, requests, timeout: timeout, handleResponses: handleResponses)
    }

    /// Records a stream of event batches on one HTTP/2 stream (`IngestStream`): `requests` are
    /// sent as they come while `handleResponses` reads one answer per batch, in order, each sent
    /// once the batch is committed. The scorer works on one batch at a time per stream, so a
    /// stream's batches are committed in order. Not retried: the requests are consumed as they
    /// are sent; after a failure, send the batches not answered again (event ids make that safe).
    public func ingestStream<Requests: AsyncSequence & Sendable, Result: Sendable>(
        _ requests: Requests,
        timeout: Duration? = nil,
        handleResponses: (RPCResponseStream<IngestResponse>) async throws -> Result
    ) async throws -> Result where Requests.Element == IngestRequest {
        try await self.stream(IngestService.ingestStream, requests, timeout: timeout, handleResponses: handleResponses)
    }

    /// A bidirectional-streaming call on a pooled connection.
    private func stream<Requests: AsyncSequence & Sendable, Response: WireMessage, Result: Sendable>(
        _ method: RPCMethod<Requests.Element, Response>,
        _ requests: Requests,
        timeout: Duration?,
        handleResponses: (RPCResponseStream<Response>) async throws -> Result
    ) async throws -> Result where Requests.Element: WireMessage {
        let connection = try await self.pool.connection()
        return try await connection.bidirectional(
            method,
            requests: requests,
            timeout: timeout,
            handleResponses: handleResponses
        )
    }

    /// Closes every connection; calls in flight fail with `unavailable`.
    public func close() async {
        await self.pool.close()
    }

    /// A unary call with retries: tried again only for retryable errors, with backoff, while
    /// the deadline leaves time.
    func unary<Request: WireMessage, Response: WireMessage>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        timeout: Duration?
    ) async throws(RPCError) -> Response {
        try await self.retrying(method.descriptor, timeout: timeout) { connection, remaining throws(RPCError) in
            try await connection.unary(method, request, timeout: remaining)
        }
    }

    /// Runs `call` on a pooled connection with the time left, again for retryable errors, with
    /// backoff, while the deadline leaves time.
    func retrying<Response: Sendable>(
        _ method: RPCMethodDescriptor,
        timeout: Duration?,
        _ call: (RPCConnection, Duration?) async throws(RPCError) -> Response
    ) async throws(RPCError) -> Response {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var attempt = 1
        while true {
            let remaining = deadline.map { $0 - clock.now }
            if let remaining, remaining <= .zero {
                throw RPCError(.deadlineExceeded, "no answer from \(self.configuration.target) within \(timeout!)")
            }
            let failure: RPCError
            do {
                let connection = try await self.pool.connection()
                return try await call(connection, remaining)
            } catch {
                failure = error
            }
            guard failure.isRetryable, attempt < self.configuration.retry.maxAttempts else { throw failure }
            let wait = self.configuration.retry.backoff(after: attempt, error: failure)
            if let deadline, clock.now + wait >= deadline { throw failure }
            self.logger.debug(
                "retrying",
                metadata: ["rpc.method": "\(method.path)", "attempt": "\(attempt + 1)", "error": "\(failure)"]
            )
            do {
                try await Task.sleep(for: wait)
            } catch {
                throw RPCError(.unavailable, "cancelled while waiting to retry", cause: error)
            }
            attempt += 1
        }
    }
}
