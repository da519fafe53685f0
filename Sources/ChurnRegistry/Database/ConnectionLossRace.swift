internal import NIOConcurrencyHelpers
internal import NIOCore
internal import PostgresNIO

/// Runs work on one PostgreSQL connection and ends it as soon as the connection closes.
///
/// PostgresNIO 1.33 answers a query written to a connection that has closed never: once the
/// channel's handlers are gone, the write fails into no promise, and the query's own waits for
/// ever (`ConnectionLossRaceTests` shows it). Any session that sends its next statement after
/// the server went away, or after its client closed the connection at shutdown, stops there, in
/// an await no cancellation ends; `withTransaction`'s own `ROLLBACK` after a failed statement is
/// one such statement. A connection held for a long session (the change follower's LISTEN) must
/// therefore not be awaited alone: this races the work against the connection's close.
///
/// When the connection closes first, the work is cancelled and left behind (a parked task and a
/// closed connection, nothing else), and what it returns, should it ever return, is dropped.
final class ConnectionLossRace<T: Sendable>: Sendable {
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

    /// What `body` returns or throws, or ``RegistryError/Code/unavailable`` as soon as
    /// `connection` closes. Cancelling the caller cancels `body`, which still runs in a task of
    /// its own (it inherits the caller's task-local values, graceful shutdown included).
    static func run(
        on connection: PostgresConnection,
        _ what: String,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let work = NIOLockedValueBox<Task<Void, Never>?>(nil)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, any Error>, Never>) in
                let race = ConnectionLossRace(continuation)
                let task = Task {
                    let result: Result<T, any Error>
                    do {
                        result = .success(try await body(connection))
                    } catch {
                        result = .failure(error)
                    }
                    race.finish(result)
                }
                work.withLockedValue { $0 = task }
                // Cancelled before the task was stored: the handler found none to cancel.
                if Task.isCancelled { task.cancel() }
                connection.closeFuture.whenComplete { _ in
                    race.finish(.failure(RegistryError(.unavailable, "\(what): the database connection closed")))
                    task.cancel()
                }
            }
        } onCancel: {
            work.withLockedValue { $0?.cancel() }
        }
        return try result.get()
    }
}
