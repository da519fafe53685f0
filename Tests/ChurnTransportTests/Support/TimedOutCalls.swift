import ChurnTransport
import ChurnWire

/// Makes `count` calls at once with `call` and counts those that failed `DEADLINE_EXCEEDED`.
func timedOutCalls(_ count: Int, _ call: @escaping @Sendable () async throws -> Void) async -> Int {
    await withTaskGroup(of: Bool.self, returning: Int.self) { group in
        for _ in 0..<count {
            group.addTask {
                do {
                    try await call()
                    return false
                } catch let error as RPCError {
                    return error.status == .deadlineExceeded
                } catch {
                    return false
                }
            }
        }
        return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
    }
}
