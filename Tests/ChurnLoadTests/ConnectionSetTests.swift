import ChurnLoad
import Testing

/// ``ConnectionSet`` over real TLS sockets on 127.0.0.1.
@Suite("Connection set", .serialized)
struct ConnectionSetTests {
    @Test("openAll opens every slot's connection before any call is made")
    func openAllOpensEverySlot() async throws {
        try await withFixedAnswerServer(connections: 3) { set in
            #expect((0..<3).allSatisfy { set.openConnection(for: $0) == nil })
            try await set.openAll()
            #expect((0..<3).allSatisfy { set.openConnection(for: $0) != nil })
        }
    }
}
