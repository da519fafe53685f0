public import NIOCore
internal import NIOPosix
public import Testing

/// Gives each test an event loop of its own for the servers and connections it starts, instead
/// of NIO's shared singleton group.
///
/// In a debug build a test that drives hundreds of HTTP/2 streams (resets, cancellations, a
/// thousand concurrent calls) keeps an event loop busy for seconds at a time. On the singleton
/// group (one loop per core: two here) that loop also carries every other test's PostgreSQL
/// connections and calls: a monitor saw the loops of a parallel run wait 3–6 s again and again,
/// and tests that waited on them failed their deadlines (a 10 s commit, 5 s calls) though nothing
/// was wrong. On a thread of its own a busy test only takes its share of the cores.
///
/// Every suite of `ChurnTransportTests` carries this trait (`TestPlacementTests` checks it).
/// ``withTestServer(router:tls:configure:logger:eventLoopGroup:metrics:_:)`` and the tests' own
/// connections use ``TestEventLoops/current``.
public struct OwnEventLoopsTrait: TestCaseScoping {
    public func provideScope(forTestCase function: @Sendable () async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            try await TestEventLoops.$own.withValue(group) { try await function() }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }
}

extension Trait where Self == OwnEventLoopsTrait {
    /// Runs the test's servers and connections on an event loop of its own (see
    /// ``OwnEventLoopsTrait``).
    public static var onOwnEventLoops: Self { OwnEventLoopsTrait() }
}

/// The event loops a test's servers and connections run on.
public enum TestEventLoops {
    /// The test's own group, under ``OwnEventLoopsTrait``.
    @TaskLocal public static var own: (any EventLoopGroup)?

    /// The test's own group under ``OwnEventLoopsTrait``, else NIO's shared singleton.
    public static var current: any EventLoopGroup { Self.own ?? MultiThreadedEventLoopGroup.singleton }
}
