#if os(Linux)
internal import CMalloc
#endif

/// Hands memory the allocator holds but no longer uses back to the system.
///
/// A model swap parses a new artifact (its bytes, the registry read's buffers, the trees) and
/// frees the old model after its last call; glibc keeps freed memory in its arenas, so without
/// this a scorer's resident set would only ever grow by what each swap touched.
public enum FreedMemory {
    /// Returns freed memory to the system (glibc `malloc_trim`); does nothing elsewhere.
    public static func release() {
        #if os(Linux)
        _ = malloc_trim(0)
        #endif
    }

    /// Releases freed memory once `delay` has passed (long enough for calls in flight on the
    /// old model to finish), off the caller's path.
    public static func release(after delay: Duration) {
        Task.detached(priority: .background) {
            try? await Task.sleep(for: delay)
            Self.release()
        }
    }
}
