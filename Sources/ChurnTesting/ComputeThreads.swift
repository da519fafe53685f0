public import ChurnThreads
public import Testing

/// Runs a test's work on ``ComputeThreads``, not on Swift concurrency's cooperative pool.
///
/// The pool has a thread per core. A test that computes without a pause (fuzzing, equality over
/// thousands of rows, training, in a debug build) holds one of them until it ends: on 2 cores two
/// such tests hold both, every other task of the parallel run waits, and the deadlines of tests
/// that wait for sockets and databases fire though nothing is wrong (seen: the whole run stalled
/// for 17 s; a 10 s commit deadline failed in CI; a 10 s call bound closed a connection).
///
/// So every suite of the targets that compute (`ChurnWireTests`, `ChurnModelTests`,
/// `ChurnTrainingTests`, `ChurnWireCompilerTests`) carries this trait, and so does any other test
/// that computes for long; the integration tests keep the pool for themselves.
/// `TestPlacementTests` checks the first part.
public struct ComputeThreadsTrait: TestCaseScoping {
    public func provideScope(forTestCase function: @Sendable () async throws -> Void) async throws {
        try await withTaskExecutorPreference(ComputeThreads.shared) { try await function() }
    }
}

extension Trait where Self == ComputeThreadsTrait {
    /// Runs the test's work on ``ComputeThreads`` (see ``ComputeThreadsTrait``).
    public static var onComputeThreads: Self { ComputeThreadsTrait() }
}

/// Two threads that run the jobs of tasks preferring them, in the order they come: shared by
/// every test with ``ComputeThreadsTrait`` and kept for the test process's life (a job that
/// arrives after its test ended, from a task the test started, still finds them).
public enum ComputeThreads {
    /// The process's one instance.
    public static let shared = DedicatedThreads(count: 2, name: "compute")
}
