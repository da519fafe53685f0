internal import ChurnTransport
public import ChurnWire
public import NIOCore

/// Unary `Score` calls against a ChurnGuard scorer (or any server speaking its wire protocol,
/// such as the ``FixedAnswerServer`` floor), each for another CRM number and feature row, or, with
/// `customers`, for another customer the scorer holds, by CRM number alone.
public struct ScoreTarget: EventLoopLoadTarget {
    public let name: String
    private let connections: ConnectionSet
    private let requests: ScoreRequests
    private let timeout: Duration
    private let onAnswer: (@Sendable (Answer) -> Void)?

    /// One answered call, for scenarios that check what was answered (such as the model version
    /// during a hot swap).
    public struct Answer: Sendable {
        /// The call's number, and the connection slot it used (`index % slots`).
        public var index: Int
        public var response: ScoreResponse
        public var sentAt: ContinuousClock.Instant
        public var answeredAt: ContinuousClock.Instant
    }

    /// Makes a target.
    ///
    /// - Parameters:
    ///   - rows: feature rows, used in turn.
    ///   - schemaHash: the served model's feature-schema hash.
    ///   - topDrivers: explanations asked for per call (0: none).
    ///   - timeout: each call's deadline; a call past it counts as `DEADLINE_EXCEEDED`.
    ///   - onAnswer: called with every answer (off by default: it costs a clock read).
    ///   - customers: when not empty, calls name these customers in turn and send no features
    ///     (`rows` and `schemaHash` are not used): the scorer must hold their histories.
    public init(
        name: String,
        connections: ConnectionSet,
        rows: [[Double]],
        schemaHash: UInt64,
        topDrivers: UInt32 = 0,
        timeout: Duration = .seconds(5),
        customers: [CustomerKey] = [],
        onAnswer: (@Sendable (Answer) -> Void)? = nil
    ) {
        self.onAnswer = onAnswer
        self.name = name
        self.connections = connections
        self.requests = ScoreRequests(rows: rows, schemaHash: schemaHash, topDrivers: topDrivers, customers: customers)
        self.timeout = timeout
    }

    public var eventLoops: [any EventLoop] { self.connections.eventLoops }

    public func call(_ index: Int) async -> CallOutcome {
        let request = self.requests.request(index)
        do {
            let connection = try await self.connections.connection(for: index)
            let sentAt = ContinuousClock.now
            let response = try await connection.unary(ScoringService.score, request, timeout: self.timeout)
            self.onAnswer?(Answer(index: index, response: response, sentAt: sentAt, answeredAt: .now))
            return .answered(rows: 1)
        } catch {
            return .failed(error)
        }
    }

    public func start(_ index: Int, completion: @escaping @Sendable (CallOutcome) -> Void) {
        guard let connection = self.connections.openConnection(for: index) else {
            // Opening (again): the async path waits for the connection.
            Task { completion(await self.call(index)) }
            return
        }
        let sentAt = ContinuousClock.now
        let onAnswer = self.onAnswer
        connection.startUnary(ScoringService.score, self.requests.request(index), timeout: self.timeout).whenComplete {
            result in
            switch result {
            case .success(let response):
                onAnswer?(Answer(index: index, response: response, sentAt: sentAt, answeredAt: .now))
                completion(.answered(rows: 1))
            case .failure(let error):
                completion(
                    .failed(error as? RPCError ?? RPCError(.unavailable, "the call failed: \(error)", cause: error))
                )
            }
        }
    }

    public func close() async {
        await self.connections.close()
    }
}
