internal import Foundation

/// Threads of their own that run the jobs of tasks preferring them
/// (`withTaskExecutorPreference`), in the order the jobs come, awaits included: work that must
/// not run on Swift concurrency's cooperative pool, or that must run at another priority.
///
/// The threads start with the executor and are never stopped: keep one for the process's life (a
/// job that arrives late, from a task that outlived its caller, still finds them).
///
/// ```swift
/// let loader = DedicatedThreads(count: 1, name: "history-loading") { lowerThisThreadsPriority() }
/// let value = try await withTaskExecutorPreference(loader) { try await work() }
/// ```
public final class DedicatedThreads: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    /// Starts `count` threads named `name` (`name-1`, `name-2` … when there are several), each of
    /// which runs `setUp` before its first job (to lower its own priority, say).
    public init(count: Int, name: String, setUp: @escaping @Sendable () -> Void = {}) {
        precondition(count > 0, "an executor needs a thread")
        for index in 1...count {
            let thread = Thread { [unowned self] in
                // Named from inside: on Linux a name given before the start is not applied, and
                // the thread would show under its creator's.
                let threadName = count == 1 ? name : "\(name)-\(index)"
                Thread.current.name = threadName
                #if os(Linux)
                // Foundation does not always pass the name on to the system's thread (a test saw
                // this thread under its creator's name, "…root.default-qos"): name it directly,
                // in the 15 bytes Linux keeps.
                try? String(decoding: threadName.utf8.prefix(15), as: UTF8.self)
                    .write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
                #endif
                setUp()
                self.work()
            }
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
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
