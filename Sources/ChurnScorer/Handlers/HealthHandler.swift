public import ChurnTransport
public import ChurnWire
internal import NIOConcurrencyHelpers
internal import NIOCore

/// `churn.v1.Health/Check`: whether this node serves, which model, for how long.
public final class HealthHandler: Sendable {
    /// The ChurnGuard build reported by every node.
    public static let build = "0.1.0"

    private let nodeID: String
    private let models: ModelHolder
    private let started: NIODeadline
    private let draining = NIOLockedValueBox(false)
    private let registryReachable: @Sendable () -> Bool

    /// Makes the handler.
    ///
    /// - Parameter registryReachable: whether the model registry answers (false for a node
    ///   that serves a model file).
    public init(nodeID: String, models: ModelHolder, registryReachable: @escaping @Sendable () -> Bool = { false }) {
        self.nodeID = nodeID
        self.models = models
        self.started = .now()
        self.registryReachable = registryReachable
    }

    /// From now on the node reports `DRAINING`: it is finishing calls before it stops.
    public func beginDraining() {
        self.draining.withLockedValue { $0 = true }
    }

    /// Answers a health check.
    public func check(_ request: HealthRequest, context: RPCContext) -> HealthResponse {
        HealthResponse(
            state: self.draining.withLockedValue { $0 } ? .draining : .serving,
            nodeId: self.nodeID,
            model: self.models.current.identity,
            registryReachable: self.registryReachable(),
            shardGeneration: 0,
            uptimeMs: UInt64((NIODeadline.now() - self.started).nanoseconds / 1_000_000),
            build: Self.build
        )
    }
}
