public import ChurnTransport
internal import ChurnWire
public import Logging
internal import NIOConcurrencyHelpers
public import NIOCore

/// A fixed number of ChurnGuard connections that calls are spread over by index. A connection
/// that fails or closes is replaced on its next use, so load goes on across a server restart
/// (the calls in between fail with `UNAVAILABLE`, and are counted as such).
public final class ConnectionSet: Sendable {
    private let slots: [NIOLockedValueBox<EventLoopFuture<RPCConnection>?>]
    private let connectors: [@Sendable () -> EventLoopFuture<RPCConnection>]

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
        self.slots = slotTargets.map { _ in NIOLockedValueBox(nil) }
        self.connectors = slotTargets.map { target in
            {
                RPCConnection.connect(
                    to: target,
                    tls: tls,
                    connectTimeout: .seconds(2),
                    eventLoopGroup: eventLoopGroup,
                    logger: logger
                )
            }
        }
    }

    /// The connection for call `index`, opened (again) when needed.
    ///
    /// - Throws: ``RPCError`` `UNAVAILABLE` when it cannot connect.
    public func connection(for index: Int) async throws(RPCError) -> RPCConnection {
        let number = index % self.slots.count
        let slot = self.slots[number]
        let future = slot.withLockedValue { current in
            if let current { return current }
            let opening = self.connectors[number]()
            current = opening
            return opening
        }
        do {
            let connection = try await future.get()
            if connection.isActive { return connection }
        } catch {
            Self.forget(future, in: slot)
            throw error as? RPCError ?? RPCError(.unavailable, "cannot connect: \(error)")
        }
        Self.forget(future, in: slot)
        throw RPCError(.unavailable, "the connection closed")
    }

    /// Closes every connection.
    public func close() async {
        for slot in self.slots {
            let future = slot.withLockedValue { current in
                defer { current = nil }
                return current
            }
            if let connection = try? await future?.get() {
                connection.close()
                try? await connection.closeFuture.get()
            }
        }
    }

    private static func forget(
        _ future: EventLoopFuture<RPCConnection>,
        in slot: NIOLockedValueBox<EventLoopFuture<RPCConnection>?>
    ) {
        slot.withLockedValue { current in
            if current === future { current = nil }
        }
    }
}
