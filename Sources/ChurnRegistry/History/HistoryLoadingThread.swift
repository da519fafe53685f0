internal import Foundation

/// The thread a scorer reads every customer history on when they were all replaced, apart from
/// the event loops that serve calls: a task executor of one thread at nice 10, as
/// ``ModelLoadingThread`` is for model swaps.
///
/// A reload decodes some 280,000 rows and builds 15,000 histories: about a second of a core. At
/// the serving threads' priority it takes turns with them, and calls due meanwhile wait (p99 8–11×
/// the steady one in `churnbench histories-replaced`). At nice 10 the kernel runs the serving
/// threads first; the reload still gets what they leave, and about a tenth of a core when they
/// leave nothing. The database client's I/O stays on its event loop.
final class HistoryLoadingThread: TaskExecutor, @unchecked Sendable {
    /// The process's one thread, started on first use and never stopped.
    static let shared = HistoryLoadingThread()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        let thread = Thread { [unowned self] in
            // Named from inside: on Linux a name given before the start is not applied, and
            // the thread would show under its creator's.
            Thread.current.name = "history-loading"
            ModelLoadingThread.lowerPriority()
            self.work()
        }
        thread.start()
    }

    /// Runs `body` with its jobs on the thread.
    static func run<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        try await withTaskExecutorPreference(Self.shared) { try await body() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.condition.lock()
        self.jobs.append(job)
        self.condition.signal()
        self.condition.unlock()
    }

    private func work() {
        while true {
            self.condition.lock()
            while self.jobs.isEmpty { self.condition.wait() }
            let job = self.jobs.removeFirst()
            self.condition.unlock()
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
