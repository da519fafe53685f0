#if os(Linux)
internal import CMalloc
#endif

/// Hands memory the allocator holds but no longer uses back to the system.
///
/// A model swap parses a new artifact (its bytes, the registry read's buffers, the trees) and
/// frees the old model after its last call; glibc keeps freed memory in its arenas, so without
/// this a scorer's resident set would only ever grow by what each swap touched.
public enum FreedMemory {
    /// Sets the allocator up for a process that swaps models: blocks of 256 KiB and more (a
    /// model's arrays, a swap's buffers) are mapped on their own and unmapped when freed, and a
    /// heap's free top is returned past 512 KiB. Call once at start, before the first model loads.
    ///
    /// glibc's defaults adapt: after the first large block is freed it serves blocks of that size
    /// from its heaps and keeps up to twice as much free at a heap's top. A swap frees a whole
    /// model, so a scorer would keep each swap's memory; and `malloc_trim` does not shrink the
    /// top of a heap other than the main one, such as the arena of the model-loading thread.
    /// Fixed thresholds turn that adaptation off. Does nothing off Linux.
    public static func returnLargeBlocksPromptly() {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, 256 << 10)
        _ = mallopt(M_TRIM_THRESHOLD, 512 << 10)
        #endif
    }

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
