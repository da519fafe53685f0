public import CoreMetrics

/// What a ``RegistryWatcher`` reports to the metrics system: whether the registry is reachable,
/// the versions it serves, its swaps, refusals and failed reads, and how it reads. Labelled with the
/// model name.
///
/// Pass a factory to keep a watcher's metrics apart (tests do); the default is the process's
/// bootstrapped `MetricsSystem` (the scorer bootstraps Prometheus when `--metrics-port` is set).
public struct RegistryMetrics: Sendable {
    /// 1 while the last registry read succeeded, 0 while it is unreachable.
    let reachable: Gauge
    /// The version serving as production.
    let productionVersion: Gauge
    /// Model swaps applied (a new production, canary or shadow).
    let swaps: Counter
    /// Versions refused (checksum, schema or golden inputs); each is also audited `swap-refused`.
    let refusals: Counter
    /// Registry reads that failed or timed out.
    let failedRefreshes: Counter
    /// 1 while refreshes read through the long-lived pool, 0 while they read through connections
    /// of their own (after a failed read through it, until it connects again).
    let readsThroughPool: Gauge
    /// Refreshes that read through a connection of their own.
    let directReads: Counter

    /// Makes the metrics of the watcher of `modelName`.
    public init(modelName: String, factory: any MetricsFactory = MetricsSystem.factory) {
        let dimensions = [("model", modelName)]
        let counter = { (label: String) in Counter(label: label, dimensions: dimensions, factory: factory) }
        let gauge = { (label: String) in Gauge(label: label, dimensions: dimensions, factory: factory) }
        self.reachable = gauge("churnguard_registry_reachable")
        self.productionVersion = Gauge(
            label: "churnguard_model_version",
            dimensions: dimensions + [("alias", "production")],
            factory: factory
        )
        self.swaps = counter("churnguard_registry_swaps_total")
        self.refusals = counter("churnguard_registry_swap_refusals_total")
        self.failedRefreshes = counter("churnguard_registry_failed_reads_total")
        self.readsThroughPool = gauge("churnguard_registry_reads_through_pool")
        self.directReads = counter("churnguard_registry_direct_reads_total")
    }
}
