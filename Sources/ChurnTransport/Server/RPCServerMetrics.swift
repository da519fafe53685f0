public import CoreMetrics

/// What an ``RPCServer`` reports to the metrics system: the calls it shed with `OVERLOADED`
/// because ``RPCServerConfiguration/Limits/maxCallsInProgress`` calls were already in progress.
///
/// Pass a factory to keep a server's metrics apart (tests do); the default is the process's
/// bootstrapped `MetricsSystem` (the scorer bootstraps Prometheus when `--metrics-port` is set),
/// so make these after bootstrapping.
public struct RPCServerMetrics: Sendable {
    /// Calls answered `OVERLOADED` at once instead of being served.
    let callsShed: Counter

    /// Makes the metrics of a server; `dimensions` label them (such as the node's id).
    public init(dimensions: [(String, String)] = [], factory: any MetricsFactory = MetricsSystem.factory) {
        self.callsShed = Counter(label: "churnguard_rpc_calls_shed_total", dimensions: dimensions, factory: factory)
    }
}
