internal import ChurnTransport
public import ChurnWire

/// Unary `Score` calls against a ChurnGuard scorer (or any server speaking its wire protocol,
/// such as the ``FixedAnswerServer`` floor), each for another CRM number and feature row, or, with
/// `customers`, for another customer the scorer holds, by CRM number alone.
public struct ScoreTarget: LoadTarget {
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

    public func call(_ index: Int) async -> CallOutcome {
        let request: ScoreRequest
        if self.customers.isEmpty {
            request = ScoreRequest(
                crm: UInt64(1_000_000 + index),
                productGroup: "fuel_cards",
                featureSchemaHash: self.schemaHash,
                features: self.rows[index % self.rows.count],
                topDrivers: self.topDrivers
            )
        } else {
            // 7,919 is prime: unless the count is a multiple of it, each round calls every customer
            // once, in a scattered order.
            let count = self.customers.count
            let customer = self.customers[(index % count) * 7_919 % count]
            request = ScoreRequest(crm: customer.crm, productGroup: customer.productGroup, topDrivers: self.topDrivers)
        }
        do {
            let connection = try await self.connections.connection(for: index)
            let sentAt = ContinuousClock.now
            let response = try await connection.unary(ScoringService.score, request, timeout: self.timeout)
            if let onAnswer = self.onAnswer {
                onAnswer(Answer(index: index, response: response, sentAt: sentAt, answeredAt: .now))
            }
            return .answered(rows: 1)
        } catch {
            return .failed(code: error.status.schemaName ?? "status \(error.status.rawValue)", message: error.message)
        }
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
