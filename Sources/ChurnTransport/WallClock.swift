#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The system's wall clock (Unix time), for the one place it crosses machines: when a call was
/// sent (``RPCProtocol/sentAtHeader``). Durations use the monotonic clock everywhere else.
enum WallClock {
    /// Milliseconds since 1970-01-01 UTC.
    static func nowMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000 + Int64(time.tv_nsec) / 1_000_000
    }
}
