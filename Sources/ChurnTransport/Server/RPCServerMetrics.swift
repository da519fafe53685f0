public import CoreMetrics

/// What an ``RPCServer`` reports to the metrics system: the calls it shed with `OVERLOADED`,
/// labelled `reason`: `late_at_headers` and `late_at_first_frame` (a call waited longer than
/// ``RPCServerConfiguration/Limits/maxArrivalDelay`` before its HEADERS, or its first frame, could
/// be read), `standing_queue` (``RPCServerConfiguration/Limits/standingQueue``),
/// `calls_in_progress` (``RPCServerConfiguration/Limits/maxCallsInProgress``) and
/// `bytes_arriving` (``RPCServerConfiguration/Limits/maxBufferedRequestBytes``).
///
/// Pass a factory to keep a server's metrics apart (tests do); the default is the process's
/// bootstrapped `MetricsSystem` (the scorer bootstraps Prometheus when `--metrics-port` is set),
/// so make these after bootstrapping.
public struct RPCServerMetrics: Sendable {
    /// Calls answered `OVERLOADED` at once instead of being served, by reason.
    let callsShed: [CallAdmission.ShedReason: Counter]

    /// Makes the metrics of a server; `dimensions` label them (such as the node's id).
    public init(dimensions: [(String, String)] = [], factory: any MetricsFactory = MetricsSystem.factory) {
        self.callsShed = Dictionary(
            uniqueKeysWithValues: CallAdmission.ShedReason.allCases.map { reason in
                let labels = dimensions + [("reason", reason.rawValue)]
                return (reason, Counter(label: "churnguard_rpc_calls_shed_total", dimensions: labels, factory: factory))
            }
        )
    }
}
