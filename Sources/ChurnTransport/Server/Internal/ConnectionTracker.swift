internal import NIOConcurrencyHelpers
internal import NIOCore

/// The server's open connections, so that graceful shutdown can ask each to drain and wait for
/// all of them to close.
final class ConnectionTracker: Sendable {
    private struct State {
        var connections: [ObjectIdentifier: any Channel] = [:]
        var quiescing = false
    }
    private let state = NIOLockedValueBox(State())

    /// Records a new connection; one that arrives after shutdown began is told to drain at once.
    func add(_ channel: any Channel) {
        let quiescing = self.state.withLockedValue { state in
            state.connections[ObjectIdentifier(channel)] = channel
            return state.quiescing
        }
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLockedValue { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
        }
        if quiescing { Self.quiesce(channel) }
    }

    /// How many connections are open.
    var count: Int { self.state.withLockedValue { $0.connections.count } }

    /// Asks every connection to drain: each sends GOAWAY, lets its calls in flight finish, then
    /// closes (`NIOHTTP2ServerConnectionManagementHandler`).
    func quiesceAll() -> [any Channel] {
        let channels = self.state.withLockedValue { state in
            state.quiescing = true
            return Array(state.connections.values)
        }
        for channel in channels { Self.quiesce(channel) }
        return channels
    }

    /// Closes every connection now.
    func closeAll() {
        let channels = self.state.withLockedValue { Array($0.connections.values) }
        for channel in channels { channel.close(promise: nil) }
    }

    private static func quiesce(_ channel: any Channel) {
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
}
