extension RPCServerConfiguration.Limits {
    /// The rule that drains a standing queue: CoDel's, as "Fail at Scale" (Maurer, ACM Queue
    /// 2015) applies it to RPC servers. A connection whose calls have all waited longer than
    /// ``target`` to be read, for at least ``interval``, has a queue that stands instead of
    /// draining; until a call arrives within `target` again, a call that waited longer than
    /// `target` while other calls are in progress is answered `OVERLOADED` (shed reason
    /// `standing_queue`), as if `target` were ``RPCServerConfiguration/Limits/maxArrivalDelay``.
    ///
    /// A burst drains within the interval and is served up to `maxArrivalDelay`. A scorer that
    /// goes on receiving about its capacity after an overload would otherwise drain its backlog
    /// only at the difference between the two, and keep every call waiting up to
    /// `maxArrivalDelay` for as long as the load lasts.
    public struct StandingQueue: Sendable, Hashable {
        /// Waits up to this long are not a queue. Default 100 ms.
        public var target: Duration
        /// How long every wait must stay above ``target`` before the queue is standing.
        /// Default 1 s.
        public var interval: Duration

        /// Makes the rule; both arguments default to the values stated on their properties.
        public init(target: Duration = .milliseconds(100), interval: Duration = .seconds(1)) {
            self.target = target
            self.interval = interval
        }
    }
}
