/// Finds the highest open-loop rate a target sustains with its p99 under a bound: rates rise
/// by `factor` until a run misses (p99 over the bound, more than 0.1 % failed, or under 98 % of
/// the calls due sent on time), then the gap to the last good rate is halved `refine` times.
public struct RateSweep: Sendable, Hashable {
    /// The p99 bound, in microseconds.
    public var p99BoundMicros: Double
    /// The first rate, the largest tried, and the step.
    public var from: Double
    public var to: Double
    public var factor: Double
    /// Halvings of the gap between the last good and the first missed rate.
    public var refine: Int

    /// Makes a sweep; `from` > 0, `to` ≥ `from`, `factor` > 1.
    public init(p99BoundMicros: Double, from: Double, to: Double, factor: Double = 1.5, refine: Int = 3) {
        precondition(p99BoundMicros > 0 && from > 0 && to >= from && factor > 1 && refine >= 0)
        self.p99BoundMicros = p99BoundMicros
        self.from = from
        self.to = to
        self.factor = factor
        self.refine = refine
    }

    /// What a sweep found.
    public struct Outcome: Sendable {
        /// Every run, by rate.
        public var steps: [LoadResult]
        /// The highest rate that held, if any did.
        public var best: LoadResult?
    }

    /// Whether a run held the bound at its rate.
    public func holds(_ result: LoadResult) -> Bool {
        let rate = result.targetRate ?? 0
        return result.latency.p99 <= self.p99BoundMicros && result.failureRate <= 0.001
            && result.scheduleHeld >= 0.98 && result.answered > 0 && rate > 0
    }

    /// Sweeps `target` with `base`'s duration, warm-up and arrival process (one run per rate).
    public func run(
        _ target: any LoadTarget,
        base: Scenario,
        serverProcesses: [Int32] = [],
        progress: (@Sendable (LoadResult, Bool) -> Void)? = nil
    ) async -> Outcome {
        var steps: [LoadResult] = []
        var best: LoadResult?
        func attempt(_ rate: Double) async -> Bool {
            let result = await LoadRunner.run(target, base.at(rate: rate).load, serverProcesses: serverProcesses)
            steps.append(result)
            let held = self.holds(result)
            progress?(result, held)
            if held, (best?.targetRate ?? 0) < rate { best = result }
            return held
        }
        var rate = self.from
        var missed: Double?
        while rate <= self.to {
            if await attempt(rate) {
                rate *= self.factor
            } else {
                missed = rate
                break
            }
        }
        if let missed {
            var low = best?.targetRate ?? 0
            var high = missed
            for _ in 0..<self.refine where high - low > 1 {
                let middle = (low + high) / 2
                if await attempt(middle) { low = middle } else { high = middle }
            }
        }
        return Outcome(steps: steps.sorted { ($0.targetRate ?? 0) < ($1.targetRate ?? 0) }, best: best)
    }
}
