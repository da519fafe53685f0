public import ChurnModel
internal import CoreMetrics
public import Logging
internal import NIOConcurrencyHelpers
public import NIOCore
internal import PostgresNIO
public import ServiceLifecycle

/// A scorer's writer of ingested events: callers ``submit(_:on:)`` batches from their event
/// loops; the service records what has queued in one transaction (group commit, through an
/// ``ActivityLedger``; up to ``Configuration/concurrentCommits`` such transactions in flight),
/// tells `onCommit` which customers changed, and only then completes each batch's future. A
/// batch is therefore acknowledged only once it is committed.
///
/// Bounded: past ``Configuration/maxQueuedEvents`` a batch is refused at once
/// (``Failure/busy``). A commit whose connection closes fails its batches at once
/// (``Failure/database``), and so does one that has not finished within
/// ``Configuration/commitTimeout``, so callers can retry, which event ids make safe;
/// should it commit after all, `onCommit` still runs. After a failed commit the next one goes
/// through a fresh PostgreSQL client: the old one's pool reconnects after an outage on a backoff
/// that grows with the outage (to a minute between attempts, PostgresNIO's rule), and a fresh one
/// connects at once, so ingest works again as soon as the database is back. On graceful shutdown new batches are
/// refused, and those queued are committed before ``run()`` returns: list the writer before the
/// server in the `ServiceGroup`, so it shuts down after the server has drained.
public final class IngestWriter: Service, Sendable {
    public struct Configuration: Sendable {
        /// Batches recorded in one transaction at most. Default 256.
        public var maxBatchesPerCommit: Int
        /// Events queued and not yet committed at most. Default 100,000.
        public var maxQueuedEvents: Int
        /// How long one commit may take before its batches fail. Default 10 s.
        public var commitTimeout: Duration
        /// Transactions in flight at once, each on a connection of its own: while one commits,
        /// the next takes what queued meanwhile. Default 2.
        public var concurrentCommits: Int

        public init(
            maxBatchesPerCommit: Int = 256,
            maxQueuedEvents: Int = 100_000,
            commitTimeout: Duration = .seconds(10),
            concurrentCommits: Int = 2
        ) {
            self.maxBatchesPerCommit = maxBatchesPerCommit
            self.maxQueuedEvents = maxQueuedEvents
            self.commitTimeout = commitTimeout
            self.concurrentCommits = max(1, concurrentCommits)
        }
    }

    /// Why a batch was not recorded.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The queue is full: the database is behind. Retry later.
        case busy(queuedEvents: Int)
        /// The writer is shutting down.
        case closed
        /// The commit failed or took too long: nothing of the batch is known to be recorded.
        case database(RegistryError)

        public var description: String {
            switch self {
            case .busy(let queued):
                "\(queued) events are waiting for the database already: retry later"
            case .closed:
                "the scorer is shutting down and takes no more events"
            case .database(let error):
                "the events were not recorded: \(error)"
            }
        }
    }

    /// What was recorded of one batch.
    public struct Counts: Sendable, Hashable {
        public var accepted: Int
        public var duplicates: Int
    }

    private struct Job {
        var events: [Activity]
        var promise: EventLoopPromise<Counts>
    }

    private struct Queue {
        var jobs: [Job] = []
        var events = 0
        var closed = false
    }

    /// A client of the writer's own and the ledger that records through it. The client runs
    /// detached: it must outlive the graceful shutdown, to commit what is queued then (run in the
    /// service's task tree it would stop with it: PostgresClient ends on graceful shutdown).
    private struct Session {
        let ledger: ActivityLedger
        let running: Task<Void, Never>

        init(url: DatabaseURL, source: String, logger: Logger) {
            let client = PostgresClient.background(url, logger: logger)
            self.ledger = ActivityLedger(client: client, logger: logger.quietened, source: source)
            self.running = Task.detached { await client.run() }
        }

        /// Ends the client, waiting for it at most 5 s: PostgresNIO 1.33 can leave a query waiting
        /// for ever (see ``ShortLivedClient``), and a client holding one must not hold the
        /// writer's shutdown up with it.
        func end() async {
            let running = self.running
            running.cancel()
            _ = try? await DeadlineRace.run(
                within: .seconds(5),
                "ending the writer's database client",
                late: { _ in },
                operation: { () throws(RegistryError) in await running.value }
            )
        }
    }

    private let url: DatabaseURL
    private let source: String
    private let configuration: Configuration
    private let logger: Logger
    private let onCommit: @Sendable ([CustomerUpdate]) -> Void
    private let queue = NIOLockedValueBox(Queue())
    /// One per commit loop: a queued batch rings them all, and an idle loop takes it.
    private let doorbells: [AsyncStream<Void>]
    private let rings: [AsyncStream<Void>.Continuation]
    private let accepted = Counter(label: "churnguard_ingest_events", dimensions: [("outcome", "accepted")])
    private let duplicates = Counter(label: "churnguard_ingest_events", dimensions: [("outcome", "duplicate")])
    private let failed = Counter(label: "churnguard_ingest_events", dimensions: [("outcome", "failed")])

    /// - Parameter onCommit: called with what a commit changed of each customer, as now stored,
    ///   before the commit's batches are acknowledged.
    ///   - source: this scorer's node id, named in the notifications of its commits (see
    ///     ``CustomerChangeFollower``, which skips a scorer's own).
    public init(
        url: DatabaseURL,
        configuration: Configuration = Configuration(),
        source: String = "",
        logger: Logger,
        onCommit: @escaping @Sendable ([CustomerUpdate]) -> Void
    ) {
        self.url = url
        self.source = source
        self.configuration = configuration
        self.logger = logger
        self.onCommit = onCommit
        let streams = (0..<configuration.concurrentCommits).map { _ in
            AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        }
        self.doorbells = streams.map(\.stream)
        self.rings = streams.map(\.continuation)
    }

    /// Queues a batch; the future completes on `eventLoop` once it is committed, or fails with a
    /// ``Failure``.
    public func submit(_ events: [Activity], on eventLoop: any EventLoop) -> EventLoopFuture<Counts> {
        let promise = eventLoop.makePromise(of: Counts.self)
        let refusal: Failure? = self.queue.withLockedValue { queue in
            if queue.closed { return .closed }
            if queue.events > 0, queue.events + events.count > self.configuration.maxQueuedEvents {
                return .busy(queuedEvents: queue.events)
            }
            queue.jobs.append(Job(events: events, promise: promise))
            queue.events += events.count
            return nil
        }
        if let refusal {
            promise.fail(refusal)
        } else {
            for ring in self.rings { ring.yield() }
        }
        return promise.futureResult
    }

    /// Commits batches as they come, ``Configuration/concurrentCommits`` transactions at a time,
    /// until graceful shutdown; then refuses new ones, commits those queued and returns.
    ///
    /// Commits in flight together never wait for each other's customers in a cycle: each takes
    /// its customers' locks in one sorted statement, and inserts its events in id order.
    public func run() async {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for doorbell in self.doorbells {
                    group.addTask {
                        var session = Session(url: self.url, source: self.source, logger: self.logger)
                        for await _ in doorbell { await self.commitQueued(through: &session) }
                        await session.end()
                    }
                }
            }
        } onGracefulShutdown: {
            for ring in self.rings { ring.finish() }
        }
        // Batches queued after the loops' last look: refused from now on, those committed here.
        self.queue.withLockedValue { $0.closed = true }
        guard self.queue.withLockedValue({ !$0.jobs.isEmpty }) else { return }
        var session = Session(url: self.url, source: self.source, logger: self.logger)
        await self.commitQueued(through: &session)
        await session.end()
    }

    /// Commits what is queued, a transaction at a time, until the queue is empty; after a failed
    /// commit, `session` is replaced by a fresh one. The old client is ended a minute later, not
    /// at once (a commit that outlived its timeout may still land, and update the book) and not
    /// awaited (a query it left hanging must not hold the writer up).
    private func commitQueued(through session: inout Session) async {
        while true {
            let jobs = self.queue.withLockedValue { queue in
                let taken = Array(queue.jobs.prefix(self.configuration.maxBatchesPerCommit))
                queue.jobs.removeFirst(taken.count)
                queue.events -= taken.reduce(0) { $0 + $1.events.count }
                return taken
            }
            guard !jobs.isEmpty else { return }
            let ledger = session.ledger
            let onCommit = self.onCommit
            let batches = jobs.map(\.events)
            let logger = self.logger
            do {
                let outcome = try await DeadlineRace.run(
                    within: self.configuration.commitTimeout,
                    "recording activity events",
                    late: { (result: Result<ActivityLedger.Outcome, RegistryError>) in
                        // Its batches were failed; callers send them again, as duplicates then.
                        guard case .success = result else { return }
                        logger.warning(
                            "a commit of activity events landed after its batches had been failed; its customers were updated"
                        )
                    },
                    operation: { () throws(RegistryError) in
                        let outcome = try await ledger.record(batches)
                        if !outcome.updated.isEmpty { onCommit(outcome.updated) }
                        return outcome
                    }
                )
                for (index, job) in jobs.enumerated() {
                    job.promise.succeed(
                        Counts(accepted: outcome.accepted[index], duplicates: outcome.duplicates[index])
                    )
                }
                self.accepted.increment(by: outcome.accepted.reduce(0, +))
                self.duplicates.increment(by: outcome.duplicates.reduce(0, +))
            } catch {
                self.logger.warning(
                    "activity events not recorded",
                    metadata: [
                        "batches": "\(jobs.count)", "events": "\(batches.reduce(0) { $0 + $1.count })",
                        "error": "\(error)",
                    ]
                )
                self.failed.increment(by: batches.reduce(0) { $0 + $1.count })
                for job in jobs { job.promise.fail(Failure.database(error)) }
                let replaced = session.running
                Task {
                    try? await Task.sleep(for: .seconds(60))
                    replaced.cancel()
                }
                session = Session(url: self.url, source: self.source, logger: self.logger)
            }
        }
    }
}
