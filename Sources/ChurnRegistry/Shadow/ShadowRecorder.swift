public import Logging
import NIOConcurrencyHelpers
import PostgresNIO
public import ServiceLifecycle

/// Records what a shadow version scored beside production, for `churnguard model compare-shadow`.
///
/// ``record(_:)`` is called on the request path: it only appends to a bounded buffer (dropping,
/// and counting, what does not fit). The service flushes the buffer to `shadow_results` twice a
/// second in one statement, so the database never sits on the request path.
public final class ShadowRecorder: Service, Sendable {
    /// One call scored by both.
    public struct Observation: Sendable, Hashable {
        public var name: String
        public var productionVersion: Int
        public var shadowVersion: Int
        public var crm: UInt64
        public var productionProbability: Double
        public var shadowProbability: Double

        public init(
            name: String,
            productionVersion: Int,
            shadowVersion: Int,
            crm: UInt64,
            productionProbability: Double,
            shadowProbability: Double
        ) {
            self.name = name
            self.productionVersion = productionVersion
            self.shadowVersion = shadowVersion
            self.crm = crm
            self.productionProbability = productionProbability
            self.shadowProbability = shadowProbability
        }
    }

    struct Buffer {
        var pending: [Observation] = []
        var dropped = 0
        var written = 0
    }

    let client: PostgresClient
    let scorerID: String
    let capacity: Int
    let flushInterval: Duration
    let logger: Logger
    let buffer = NIOLockedValueBox(Buffer())

    /// - Parameters:
    ///   - capacity: observations held between flushes at most. Default 100,000.
    public init(
        url: DatabaseURL,
        scorerID: String,
        logger: Logger,
        capacity: Int = 100_000,
        flushInterval: Duration = .milliseconds(500)
    ) {
        self.client = .background(url, logger: logger)
        self.scorerID = scorerID
        self.capacity = capacity
        self.flushInterval = flushInterval
        self.logger = logger
    }

    /// Queues one observation; never blocks.
    public func record(_ observation: Observation) {
        self.buffer.withLockedValue { buffer in
            if buffer.pending.count < self.capacity {
                buffer.pending.append(observation)
            } else {
                buffer.dropped += 1
            }
        }
    }

    /// Observations written and dropped so far.
    public var counts: (written: Int, dropped: Int) {
        self.buffer.withLockedValue { ($0.written, $0.dropped) }
    }

    /// Flushes until graceful shutdown, then once more.
    public func run() async {
        // The client must outlive the graceful shutdown for the last flush; in this task's tree
        // it would end with it (PostgresClient stops on graceful shutdown), so it runs detached
        // and is ended and awaited here.
        let client = self.client
        let running = Task.detached { await client.run() }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.flushInterval) }
            await self.flush()
        }
        await self.flush()
        running.cancel()
        await running.value
    }

    /// Writes what is queued; on failure the observations are dropped (and counted), so memory
    /// stays bounded while the database is down.
    func flush() async {
        let batch = self.buffer.withLockedValue { buffer in
            let taken = buffer.pending
            buffer.pending.removeAll(keepingCapacity: true)
            return taken
        }
        guard !batch.isEmpty else { return }
        do {
            try await self.client.perform(
                """
                INSERT INTO shadow_results (name, production_version, shadow_version, crm, production_probability,
                    shadow_probability, scorer)
                SELECT name, pv, sv, crm, pp, sp, \(self.scorerID)
                FROM unnest(\(batch.map(\.name))::text[], \(batch.map(\.productionVersion))::int[],
                    \(batch.map(\.shadowVersion))::int[], \(batch.map { Int64(bitPattern: $0.crm) })::bigint[],
                    \(batch.map(\.productionProbability))::float8[], \(batch.map(\.shadowProbability))::float8[])
                    AS t(name, pv, sv, crm, pp, sp)
                """,
                logger: self.logger
            )
            self.buffer.withLockedValue { $0.written += batch.count }
        } catch {
            self.buffer.withLockedValue { $0.dropped += batch.count }
            self.logger.warning(
                "shadow results not written (dropped)",
                metadata: [
                    "count": "\(batch.count)", "error": "\(RegistryError.wrapping(error, "writing shadow results"))",
                ]
            )
        }
    }
}
