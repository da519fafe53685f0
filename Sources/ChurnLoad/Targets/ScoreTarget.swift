internal import ChurnTransport
public import ChurnWire
public import NIOCore

/// Unary `Score` calls against a ChurnGuard scorer (or any server speaking its wire protocol,
/// such as the ``FixedAnswerServer`` floor), each for another CRM number and feature row, or, with
/// `customers`, for another customer the scorer holds, by CRM number alone.
public struct ScoreTarget: EventLoopLoadTarget {
    public let name: String
    private let connections: ConnectionSet
    private let rows: [[Double]]
    private let customers: [CustomerKey]
    private let schemaHash: UInt64
    private let topDrivers: UInt32
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
        precondition(!rows.isEmpty || !customers.isEmpty, "a score target needs feature rows or customers")
        self.onAnswer = onAnswer
        self.name = name
        self.connections = connections
        self.rows = rows
        self.customers = customers
        self.schemaHash = schemaHash
        self.topDrivers = topDrivers
        self.timeout = timeout
    }

    public var eventLoops: [any EventLoop] { self.connections.eventLoops }

    public func call(_ index: Int) async -> CallOutcome {
        let request = self.request(index)
        do {
            let connection = try await self.connections.connection(for: index)
            let sentAt = ContinuousClock.now
            let response = try await connection.unary(ScoringService.score, request, timeout: self.timeout)
            self.onAnswer?(Answer(index: index, response: response, sentAt: sentAt, answeredAt: .now))
            return .answered(rows: 1)
        } catch {
            return Self.outcome(of: error)
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
        connection.startUnary(ScoringService.score, self.request(index), timeout: self.timeout).whenComplete {
            result in
            switch result {
            case .success(let response):
                onAnswer?(Answer(index: index, response: response, sentAt: sentAt, answeredAt: .now))
                completion(.answered(rows: 1))
            case .failure(let error):
                completion(
                    Self.outcome(
                        of: error as? RPCError ?? RPCError(.unavailable, "the call failed: \(error)", cause: error)
                    )
                )
            }
        }
    }

    /// Call `index`'s request: another CRM number and feature row, or another held customer.
    private func request(_ index: Int) -> ScoreRequest {
        if self.customers.isEmpty {
            return ScoreRequest(
                crm: UInt64(1_000_000 + index),
                productGroup: "fuel_cards",
                featureSchemaHash: self.schemaHash,
                features: self.rows[index % self.rows.count],
                topDrivers: self.topDrivers
            )
        }
        // 7,919 is prime: unless the count is a multiple of it, each round calls every customer
        // once, in a scattered order.
        let count = self.customers.count
        let customer = self.customers[(index % count) * 7_919 % count]
        return ScoreRequest(crm: customer.crm, productGroup: customer.productGroup, topDrivers: self.topDrivers)
    }

    private static func outcome(of error: RPCError) -> CallOutcome {
        .failed(code: error.status.schemaName ?? "status \(error.status.rawValue)", message: error.message)
    }

    public func close() async {
        await self.connections.close()
    }
}

/// A customer a scorer holds: its CRM number and product group.
public struct CustomerKey: Sendable, Hashable {
    public var crm: UInt64
    public var productGroup: String

    public init(crm: UInt64, productGroup: String) {
        self.crm = crm
        self.productGroup = productGroup
    }
}
