internal import NIOConcurrencyHelpers
internal import PostgresNIO

/// Runs work on one PostgreSQL connection and ends it as soon as the connection closes.
///
/// PostgresNIO 1.33 answers a query written to a connection that has closed never: once the
/// channel's handlers are gone, the write fails into no promise, and the query's own waits for
/// ever (`ConnectionLossRaceTests` shows it). Any session that sends its next statement after
/// the server went away, or after its client closed the connection at shutdown, stops there, in
/// an await no cancellation ends; `withTransaction`'s own `ROLLBACK` after a failed statement is
/// one such statement. Work of more than one statement (a transaction, the change follower's
/// LISTEN) must therefore not be awaited alone: this races it against the connection's close.
///
/// When the connection closes first, the work is cancelled and left behind (a parked task and a
/// closed connection, nothing else), and what it returns, should it ever return, is dropped.
///
/// The close is looked for every ``closeCheckInterval`` rather than awaited on the connection's
/// `closeFuture`: a callback on it would stay registered until the connection closes, and a
/// pooled connection that commits without pause lives for hours (one callback per commit).
final class ConnectionLossRace<T: Sendable>: Sendable {
    /// How often a session looks whether its connection has closed.
    static var closeCheckInterval: Duration { .milliseconds(100) }

    private let continuation: NIOLockedValueBox<CheckedContinuation<Result<T, any Error>, Never>?>

    private init(_ continuation: CheckedContinuation<Result<T, any Error>, Never>) {
        self.continuation = NIOLockedValueBox(continuation)
    }

    /// Delivers `result` unless a result was delivered already.
    private func finish(_ result: Result<T, any Error>) {
        let waiting = self.continuation.withLockedValue { box in
            let taken = box
            box = nil
            return taken
        }
        waiting?.resume(returning: result)
    }

    /// What `body` returns or throws, or ``RegistryError/Code/unavailable`` once `connection`
    /// has closed (found within ``closeCheckInterval``). Cancelling the caller cancels `body`,
    /// which still runs in a task of its own (it inherits the caller's task-local values,
    /// graceful shutdown included).
    static func run(
        on connection: PostgresConnection,
        _ what: String,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let work = NIOLockedValueBox<Task<Void, Never>?>(nil)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, any Error>, Never>) in
                let race = ConnectionLossRace(continuation)
                let watch = Task {
                    while (try? await Task.sleep(for: Self.closeCheckInterval)) != nil {
                        guard connection.isClosed else { continue }
                        race.finish(.failure(RegistryError(.unavailable, "\(what): the database connection closed")))
                        work.withLockedValue { $0?.cancel() }
                        return
                    }
                }
                let task = Task {
                    let result: Result<T, any Error>
                    do {
                        result = .success(try await body(connection))
                    } catch {
                        result = .failure(error)
                    }
                    race.finish(result)
                    watch.cancel()
                }
                work.withLockedValue { $0 = task }
                // Cancelled before the task was stored: the handler found none to cancel.
                if Task.isCancelled { task.cancel() }
            }
        } onCancel: {
            work.withLockedValue { $0?.cancel() }
        }
        return try result.get()
    }
}
