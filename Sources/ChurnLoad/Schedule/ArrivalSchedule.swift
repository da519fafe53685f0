internal import Foundation

/// When calls are meant to be sent: a fixed arrival rate, evenly spaced or as a Poisson process.
///
/// Open-loop load follows this schedule whatever the server does, and every latency is measured
/// from a call's *intended* send time, so a server that stalls cannot hide the calls it delayed
/// (coordinated omission).
///
/// ```swift
/// var arrivals = ArrivalSchedule(rate: 5_000, process: .poisson(seed: 7)).makeIterator()
/// let first = arrivals.next()   // nanoseconds after the start
/// ```
public struct ArrivalSchedule: Sequence, Sendable, Hashable {
    /// How gaps between arrivals are drawn.
    public enum Process: Sendable, Hashable {
        /// Every gap is exactly 1 / rate.
        case constant
        /// Gaps are exponential with mean 1 / rate, from a seeded generator (the same seed gives
        /// the same schedule).
        case poisson(seed: UInt64)
    }

    /// Calls per second.
    public var rate: Double
    /// How the gaps are drawn.
    public var process: Process

    /// Makes a schedule; `rate` must be positive.
    public init(rate: Double, process: Process) {
        precondition(rate > 0 && rate.isFinite, "an arrival rate is a positive number of calls per second")
        self.rate = rate
        self.process = process
    }

    public func makeIterator() -> Iterator {
        Iterator(schedule: self)
    }

    /// Intended send times, in nanoseconds after the start, without end.
    public struct Iterator: IteratorProtocol {
        private let meanGap: Double
        private let process: Process
        private var state: UInt64
        private var index: Int = 0
        private var poissonTime: Double = 0

        init(schedule: ArrivalSchedule) {
            self.meanGap = 1e9 / schedule.rate
            self.process = schedule.process
            if case .poisson(let seed) = schedule.process {
                self.state = seed
            } else {
                self.state = 0
            }
        }

        public mutating func next() -> Int64? {
            defer { self.index += 1 }
            switch self.process {
            case .constant:
                // Multiplying (not summing gaps) keeps rounding from drifting over millions of calls.
                return Int64((Double(self.index) * self.meanGap).rounded())
            case .poisson:
                let offset = self.poissonTime
                // Inverse transform of a uniform draw in (0, 1].
                let uniform = (Double(self.nextRandom() >> 11) + 1) / 9_007_199_254_740_992.0
                self.poissonTime += -self.meanGap * log(uniform)
                return Int64(offset.rounded())
            }
        }

        /// SplitMix64: small, fast, and good enough for arrival gaps.
        private mutating func nextRandom() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
