internal import NIOPosix

#if canImport(Glibc)
internal import Glibc
#endif

/// The thread a scorer's model loading runs on, apart from the event loops that serve calls.
///
/// A scorer serves calls inline on its event loops; a swap parses a model of a few megabytes in
/// tens of milliseconds. Done at the same priority as serving, the parsing takes turns with it
/// and the calls due meanwhile wait. ``load(_:)`` runs the CPU work of a swap — the checksum,
/// parsing the artifact, scoring the golden inputs, writing the cache file — on one thread at
/// nice 10: the kernel runs the serving threads first and gives the swap about a tenth of a
/// core's share while they are busy, so a swap shows little in the serving latency and still
/// finishes within a second on a saturated scorer (nice 19 would leave it 1.5 %, and a swap
/// could then take seconds).
enum ModelLoadingThread {
    /// The thread: one for the whole process, started on first use and never
    /// stopped (a swap is rare and short; an idle thread costs nothing).
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    /// The nice value the thread runs at.
    static let niceness: Int32 = 10

    /// Runs `body` on the thread and returns what it returns.
    ///
    /// - Throws: what `body` throws; ``RegistryError/Code/unavailable`` if the thread could not
    ///   take the work.
    static func load<Value: Sendable>(
        _ body: @escaping @Sendable () throws(RegistryError) -> Value
    ) async throws(RegistryError) -> Value {
        let outcome: Result<Value, RegistryError>
        do {
            outcome = try await Self.pool.runIfActive { () -> Result<Value, RegistryError> in
                Self.lowerPriority()
                do throws(RegistryError) {
                    return .success(try body())
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            throw RegistryError(.unavailable, "the model-loading thread cannot take work: \(error)")
        }
        return try outcome.get()
    }

    /// Lowers the calling thread's priority to ``niceness`` (on Linux the nice value is per
    /// thread). Only ever lowers it: raising it back would need a privilege.
    static func lowerPriority() {
        #if canImport(Glibc)
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        if getpriority(which, 0) < Self.niceness {
            _ = setpriority(which, 0, Self.niceness)
        }
        #endif
    }
}
