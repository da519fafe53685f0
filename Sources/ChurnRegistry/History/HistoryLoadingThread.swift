internal import ChurnThreads

/// The thread a scorer reads every customer history on when they were all replaced, apart from
/// the event loops that serve calls: one thread at nice 10, as ``ModelLoadingThread`` is for
/// model swaps.
///
/// A reload decodes some 280,000 rows and builds 15,000 histories: about a second of a core. At
/// the serving threads' priority it takes turns with them, and calls due meanwhile wait (p99 8–11×
/// the steady one in `churnbench histories-replaced`). At nice 10 the kernel runs the serving
/// threads first; the reload still gets what they leave, and about a tenth of a core when they
/// leave nothing. The database client's I/O stays on its event loop.
enum HistoryLoadingThread {
    /// The process's one thread, started on first use and never stopped.
    static let shared = DedicatedThreads(count: 1, name: "history-loading") { ModelLoadingThread.lowerPriority() }

    /// Runs `body` with its jobs, awaits included, on the thread.
    static func run<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        try await withTaskExecutorPreference(Self.shared) { try await body() }
    }
}
