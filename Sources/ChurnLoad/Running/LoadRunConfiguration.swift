/// How one load run goes: open loop at a rate or closed loop at a concurrency, for how long,
/// with how much warm-up, and within which bounds.
public struct LoadRunConfiguration: Sendable, Hashable {
    /// How calls are paced.
    public enum Mode: Sendable, Hashable {
        /// Calls leave on the schedule whatever the server does; latency counts from the
        /// intended send time. This is how callers load a service in production.
        case open(ArrivalSchedule)
        /// `concurrency` callers each send their next call as soon as the last is answered: finds
        /// the most a server can do, but hides queueing (use it for throughput only).
        case closed(concurrency: Int)
    }

    /// How calls are paced.
    public var mode: Mode
    /// How long the measured part lasts. Default 10 s.
    public var duration: Duration
    /// How long calls run before measuring starts; their results are not counted. Default 2 s.
    public var warmup: Duration
    /// Open loop: the most calls outstanding at once; a due call waits for a slot (and that wait
    /// counts in its latency). Bounds the generator's memory when the server falls behind.
    /// Default 10,000.
    public var maxInFlight: Int
    /// The most calls sent in all (warm-up included); nil for no bound. Default nil.
    public var maxCalls: Int?

    /// Makes a configuration; defaults as stated on each property.
    public init(
        mode: Mode,
        duration: Duration = .seconds(10),
        warmup: Duration = .seconds(2),
        maxInFlight: Int = 10_000,
        maxCalls: Int? = nil
    ) {
        self.mode = mode
        self.duration = duration
        self.warmup = warmup
        self.maxInFlight = maxInFlight
        self.maxCalls = maxCalls
    }
}
