import NIOConcurrencyHelpers

/// Runs `operation` in a task of its own and waits for it at most `limit`: the registry's
/// connection pool waits for a connection without end while the database is down, and a scorer
/// must notice the outage. The operation is cancelled at the deadline but may finish later (the
/// pool does not give a waiting lease up), or never (``ShortLivedClient``): reads through the
/// long-lived pool keep at most one such operation outstanding; a short-lived client's is left
/// with that client.
final class DeadlineRace<T: Sendable>: Sendable {
    private let continuation: NIOLockedValueBox<CheckedContinuation<Result<T, RegistryError>, Never>?>

    private init(_ continuation: CheckedContinuation<Result<T, RegistryError>, Never>) {
        self.continuation = NIOLockedValueBox(continuation)
    }

    /// Whether a result was delivered.
    private var isFinished: Bool { self.continuation.withLockedValue { $0 == nil } }

    /// Delivers `result` if nothing was delivered yet; whether it was.
    @discardableResult
    private func finish(_ result: Result<T, RegistryError>) -> Bool {
        let waiting = self.continuation.withLockedValue { box in
            let taken = box
            box = nil
            return taken
        }
        waiting?.resume(returning: result)
        return waiting != nil
    }

    /// The operation's result, or ``RegistryError/Code/unavailable`` at the deadline. `late` runs
    /// with the result when the operation finishes after the deadline (the caller was told it
    /// failed, and should try again).
    static func run(
        within limit: Duration,
        _ what: String,
        late: @escaping @Sendable (Result<T, RegistryError>) -> Void,
        operation: @escaping @Sendable () async throws(RegistryError) -> T
    ) async throws(RegistryError) -> T {
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<T, RegistryError>, Never>) in
            let race = DeadlineRace(continuation)
            // The timer ends as soon as the work does: frequent short operations (ingest commits)
            // would otherwise leave a sleeping task each for the whole limit.
            let timer = NIOLockedValueBox<Task<Void, Never>?>(nil)
            let work = Task {
                let result: Result<T, RegistryError>
                do throws(RegistryError) {
                    result = .success(try await operation())
                } catch {
                    result = .failure(error)
                }
                let delivered = race.finish(result)
                timer.withLockedValue { $0?.cancel() }
                if !delivered { late(result) }
            }
            let sleeping = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                race.finish(.failure(RegistryError(.unavailable, "\(what): no answer within \(limit)")))
                work.cancel()
            }
            timer.withLockedValue { $0 = sleeping }
            // Finished before the timer was stored: end it now.
            if race.isFinished { sleeping.cancel() }
        }
        return try result.get()
    }
}
