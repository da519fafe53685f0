public import ChurnWire

/// The `Score` requests a load run sends, by call number: each call another CRM number and
/// feature row, or, with `customers`, another customer the scorer holds, by CRM number alone.
/// Shared by every target that sends `Score` calls, so that they load a scorer with the same
/// requests.
public struct ScoreRequests: Sendable {
    private let rows: [[Double]]
    private let customers: [CustomerKey]
    private let schemaHash: UInt64
    private let topDrivers: UInt32

    /// Makes the requests.
    ///
    /// - Parameters:
    ///   - rows: feature rows, used in turn.
    ///   - schemaHash: the served model's feature-schema hash.
    ///   - topDrivers: explanations asked for per call (0: none).
    ///   - customers: when not empty, calls name these customers in turn and send no features
    ///     (`rows` and `schemaHash` are not used): the scorer must hold their histories.
    public init(rows: [[Double]], schemaHash: UInt64, topDrivers: UInt32 = 0, customers: [CustomerKey] = []) {
        precondition(!rows.isEmpty || !customers.isEmpty, "score requests need feature rows or customers")
        self.rows = rows
        self.customers = customers
        self.schemaHash = schemaHash
        self.topDrivers = topDrivers
    }

    /// Call `index`'s request.
    public func request(_ index: Int) -> ScoreRequest {
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
