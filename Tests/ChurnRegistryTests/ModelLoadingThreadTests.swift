import Foundation
import Testing

@testable import ChurnRegistry

#if canImport(Glibc)
import Glibc
#endif

@Suite("ModelLoadingThread: a swap's work runs at a lower priority, off the caller's thread")
struct ModelLoadingThreadTests {
    static func niceness() -> Int32 {
        #if canImport(Glibc)
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        #else
        0
        #endif
    }

    @Test("loading runs at the loader's nice value and returns its value; the caller keeps its priority")
    func lowerPriority() async throws {
        let before = Self.niceness()
        let inside = try await ModelLoadingThread.load { Self.niceness() }
        #if canImport(Glibc)
        #expect(inside == ModelLoadingThread.niceness)
        #endif
        #expect(Self.niceness() == before)
    }

    @Test("an error thrown by the work reaches the caller with its code")
    func errors() async {
        let error = await #expect(throws: RegistryError.self) {
            try await ModelLoadingThread.load { () throws(RegistryError) -> Int in
                throw RegistryError(.invalidArtifact, "damaged")
            }
        }
        #expect(error?.code == .invalidArtifact)
        #expect(error?.message == "damaged")
    }
}
