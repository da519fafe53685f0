import ChurnTesting
import NIOCore
import NIOPosix
import Testing

/// The transport tests' servers and connections run on a loop of each test's own
/// (`OwnEventLoopsTrait`), so hundreds of streams in one test cannot hold up another's.
@Suite("A transport test's own event loop", .onOwnEventLoops)
struct OwnEventLoopsTests {
    @Test("each test case has a loop that is not one of NIO's shared singleton loops", arguments: [1, 2])
    func aLoopOfItsOwn(testCase: Int) throws {
        let own = try #require(TestEventLoops.own)
        let shared = Set(MultiThreadedEventLoopGroup.singleton.makeIterator().map { ObjectIdentifier($0) })
        #expect(!shared.contains(ObjectIdentifier(own.next())))
        #expect(ObjectIdentifier(TestEventLoops.current.next()) == ObjectIdentifier(own.next()))
    }
}
