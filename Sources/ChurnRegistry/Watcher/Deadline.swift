import NIOConcurrencyHelpers

/// Runs `operation` in a task of its own and waits for it at most `limit`: the registry's
/// connection pool waits for a connection without end while the database is down, and a scorer
/// must notice the outage. The operation is cancelled at the deadline but may finish later (the
/// pool does not give a waiting lease up); callers keep at most one such operation outstanding.
final class DeadlineRace<T: Sendable>: Sendable {
    private let continuation: NIOLockedValueBox<CheckedContinuation<Result<T, RegistryError>, Never>?>

    private init(_ continuation: CheckedContinuation<Result<T, RegistryError>, Never>) {
        self.continuation = NIOLockedValueBox(continuation)
    }

    private func finish(_ result: Result<T, RegistryError>) {
        let waiting = self.continuation.withLockedValue { box in
            let taken = box
            box = nil
            return taken
        }
        waiting?.resume(returning: result)
    }

    /// The operation's result, or ``RegistryError/Code/unavailable`` at the deadline.
    static func run(
        within limit: Duration,
        _ what: String,
        _ operation: @escaping @Sendable () async throws(RegistryError) -> T
    ) async throws(RegistryError) -> T {
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<T, RegistryError>, Never>) in
            let race = DeadlineRace(continuation)
            let work = Task {
                do throws(RegistryError) {
                    race.finish(.success(try await operation()))
                } catch {
                    race.finish(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                race.finish(.failure(RegistryError(.unavailable, "\(what): no answer within \(limit)")))
                work.cancel()
            }
        }
        return try result.get()
    }
}
