internal import ChurnTransport
internal import ChurnWire
internal import Logging
internal import NIOConcurrencyHelpers
internal import NIOCore

/// A fixed number of connections to one target, opened on first use and reopened when one has
/// closed; calls are spread over them round-robin.
final class ConnectionPool: Sendable {
    private enum Slot {
        case empty
        case connecting(EventLoopFuture<RPCConnection>)
        case ready(RPCConnection)
    }

    private struct State {
        var slots: [Slot]
        var next = 0
        var closed = false
    }

    private let configuration: ChurnClientConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state: NIOLockedValueBox<State>

    init(configuration: ChurnClientConfiguration, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.state = NIOLockedValueBox(State(slots: Array(repeating: .empty, count: max(configuration.connections, 1))))
    }

    /// A connection to call on: the next slot's, opened anew when it failed or has closed.
    func connection() async throws(RPCError) -> RPCConnection {
        enum Pick {
            case ready(RPCConnection)
            case wait(EventLoopFuture<RPCConnection>, opened: Bool, index: Int)
            case closed
        }
        let pick = self.state.withLockedValue { state -> Pick in
            guard !state.closed else { return .closed }
            let index = state.next
            state.next = (state.next + 1) % state.slots.count
            switch state.slots[index] {
            case .ready(let connection) where connection.isActive:
                return .ready(connection)
            case .connecting(let future):
                return .wait(future, opened: false, index: index)
            case .ready, .empty:
                let future = RPCConnection.connect(
                    to: self.configuration.target,
                    tls: self.configuration.tls,
                    limits: self.configuration.limits,
                    connectTimeout: self.configuration.connectTimeout,
                    eventLoopGroup: self.group,
                    logger: self.logger
                )
                state.slots[index] = .connecting(future)
                return .wait(future, opened: true, index: index)
            }
        }
        switch pick {
        case .closed:
            throw RPCError(.unavailable, "the client is closed")
        case .ready(let connection):
            return connection
        case .wait(let future, let opened, let index):
            if opened {
                future.whenComplete { result in
                    self.state.withLockedValue { state in
                        // Only the attempt still in the slot may settle it.
                        guard case .connecting(let current) = state.slots[index], current === future else { return }
                        switch result {
                        case .success(let connection): state.slots[index] = .ready(connection)
                        case .failure: state.slots[index] = .empty
                        }
                    }
                }
            }
            do {
                return try await future.get()
            } catch let error as RPCError {
                throw error
            } catch {
                throw RPCError(.unavailable, "cannot connect to \(self.configuration.target)", cause: error)
            }
        }
    }

    /// Closes every connection; calls after this fail with `unavailable`.
    func close() async {
        let slots = self.state.withLockedValue { state in
            state.closed = true
            defer { state.slots = state.slots.map { _ in .empty } }
            return state.slots
        }
        for slot in slots {
            let connection: RPCConnection?
            switch slot {
            case .empty: connection = nil
            case .ready(let ready): connection = ready
            case .connecting(let future): connection = try? await future.get()
            }
            if let connection {
                connection.close()
                try? await connection.closeFuture.get()
            }
        }
    }
}
