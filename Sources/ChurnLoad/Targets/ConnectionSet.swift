public import ChurnTransport
internal import ChurnWire
public import Logging
internal import NIOConcurrencyHelpers
public import NIOCore

/// A fixed number of ChurnGuard connections that calls are spread over by index. A connection
/// that fails or closes is replaced on its next use, so load goes on across a server restart
/// (the calls in between fail with `UNAVAILABLE`, and are counted as such).
///
/// Each slot keeps to one event loop, chosen when the set is made, across reconnections, so a
/// load generator can start a slot's calls on that loop without a thread hop.
public final class ConnectionSet: Sendable {
    private struct Slot {
        /// The connection being opened or open.
        var opening: EventLoopFuture<RPCConnection>?
        /// The same connection once it is open.
        var open: RPCConnection?
    }

    private let slots: [NIOLockedValueBox<Slot>]
    private let connectors: [@Sendable () -> EventLoopFuture<RPCConnection>]

    /// The event loop of each slot's connection; call `index` uses slot `index % eventLoops.count`.
    public let eventLoops: [any EventLoop]

    /// Makes `count` connection slots to `target`; nothing connects until the first call.
    public convenience init(
        target: RPCConnection.Target,
        tls: ClientTLS,
        count: Int,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger
    ) {
        self.init(targets: [target], tls: tls, countEach: count, eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// Makes `countEach` connection slots to each of `targets` (several scorers), interleaved so
    /// that consecutive calls go to different targets; nothing connects until the first call.
    public init(
        targets: [RPCConnection.Target],
        tls: ClientTLS,
        countEach: Int,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger
    ) {
        precondition(!targets.isEmpty, "a connection set needs a target")
        let slotTargets = (0..<max(1, countEach)).flatMap { _ in targets }
        let eventLoops = slotTargets.map { _ in eventLoopGroup.next() }
        self.eventLoops = eventLoops
        self.slots = slotTargets.map { _ in NIOLockedValueBox(Slot()) }
        self.connectors = zip(slotTargets, eventLoops).map { target, eventLoop in
            {
                RPCConnection.connect(
                    to: target,
                    tls: tls,
                    connectTimeout: .seconds(2),
                    eventLoopGroup: eventLoop,
                    logger: logger
                )
            }
        }
    }

    /// The open connection for call `index`, or nil while it is being opened, or when it has
    /// closed (then ``connection(for:)`` opens it again). Never waits.
    public func openConnection(for index: Int) -> RPCConnection? {
        self.slots[index % self.slots.count].withLockedValue { slot in
            guard let open = slot.open else { return nil }
            if open.isActive { return open }
            slot = Slot()
            return nil
        }
    }

    /// The connection for call `index`, opened (again) when needed.
    ///
    /// - Throws: ``RPCError`` `UNAVAILABLE` when it cannot connect.
    public func connection(for index: Int) async throws(RPCError) -> RPCConnection {
        let number = index % self.slots.count
        let slot = self.slots[number]
        let future = slot.withLockedValue { current in
            if let opening = current.opening { return opening }
            let opening = self.connectors[number]()
            current.opening = opening
            return opening
        }
        do {
            let connection = try await future.get()
            if connection.isActive {
                slot.withLockedValue { current in
                    if current.opening === future { current.open = connection }
                }
                return connection
            }
        } catch {
            Self.forget(future, in: slot)
            throw error as? RPCError ?? RPCError(.unavailable, "cannot connect: \(error)")
        }
        Self.forget(future, in: slot)
        throw RPCError(.unavailable, "the connection closed")
    }

    /// Opens every slot's connection, one after another, before a run. A server spreads the
    /// connections it accepts over its event loops in the order they arrive, so opening them in
    /// turn, before anything else connects to it, gives this set's connections one loop each
    /// (a set of 2 on a 2-loop server: both loops). Left to open at their first calls, they could
    /// share a loop with a connection another client opened in between.
    ///
    /// - Throws: ``RPCError`` `UNAVAILABLE` when one cannot connect.
    public func openAll() async throws(RPCError) {
        for number in self.slots.indices {
            _ = try await self.connection(for: number)
        }
    }

    /// Closes every connection.
    public func close() async {
        for slot in self.slots {
            let future = slot.withLockedValue { current in
                defer { current = Slot() }
                return current.opening
            }
            if let connection = try? await future?.get() {
                connection.close()
                try? await connection.closeFuture.get()
            }
        }
    }

    private static func forget(
        _ future: EventLoopFuture<RPCConnection>,
        in slot: NIOLockedValueBox<Slot>
    ) {
        slot.withLockedValue { current in
            if current.opening === future { current = Slot() }
        }
    }
}
