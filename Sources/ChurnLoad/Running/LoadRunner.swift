internal import NIOConcurrencyHelpers

/// Runs load against a ``LoadTarget`` and measures it.
///
/// ```swift
/// let configuration = LoadRunConfiguration(mode: .open(ArrivalSchedule(rate: 5_000, process: .poisson(seed: 1))))
/// let result = await LoadRunner.run(target, configuration) { print($0) }
/// print(result.latency.p99)
/// ```
public enum LoadRunner {
    /// A line of progress, about once a second.
    public struct Progress: Sendable, CustomStringConvertible {
        /// Seconds since the first call (warm-up included).
        public var elapsed: Double
        /// Whether the warm-up is still on.
        public var warmingUp: Bool
        /// Calls sent and answered in the measured window so far, and failed.
        public var sent: Int
        public var answered: Int
        public var failed: Int

        public var description: String {
            let phase = self.warmingUp ? "warming up" : "measuring"
            return
                "\(Int(self.elapsed)) s, \(phase): \(self.sent) sent, \(self.answered) answered, \(self.failed) failed"
        }
    }

    /// Runs `configuration` against `target` and returns what was measured. Every call is
    /// awaited before it returns, so the run is bounded by its duration plus the target's own
    /// call timeout.
    ///
    /// An ``EventLoopLoadTarget`` is driven on its event loops (``EventLoopDriver``); any other
    /// target by a task per call.
    ///
    /// - Parameter serverProcesses: the server's process ids, when they run on this machine:
    ///   their CPU over the measured window is reported per answered call.
    public static func run(
        _ target: any LoadTarget,
        _ configuration: LoadRunConfiguration,
        serverProcesses: [Int32] = [],
        progress: (@Sendable (Progress) -> Void)? = nil
    ) async -> LoadResult {
        let clock = ContinuousClock()
        let recorder = LatencyRecorder()
        let start = clock.now
        let measureStart = start + configuration.warmup
        let measureEnd = measureStart + configuration.duration
        let cpuBefore = NIOLockedValueBox<Double?>(nil)
        let serverCPUBefore = NIOLockedValueBox<Double?>(nil)

        await withDiscardingTaskGroup { group in
            let done = NIOLockedValueBox(false)
            group.addTask {
                // CPU is read at the start of the measured window and progress reported each second.
                try? await clock.sleep(until: measureStart)
                cpuBefore.withLockedValue { $0 = ProcessCPU.seconds() }
                if !serverProcesses.isEmpty {
                    serverCPUBefore.withLockedValue { $0 = ProcessCPU.seconds(ofProcesses: serverProcesses) }
                }
                guard let progress else { return }
                var tick = measureStart
                while !done.withLockedValue({ $0 }) {
                    let snapshot = recorder.snapshot
                    progress(
                        Progress(
                            elapsed: Self.seconds(clock.now - start),
                            warmingUp: clock.now < measureStart,
                            sent: snapshot.sent,
                            answered: snapshot.answered,
                            failed: snapshot.failures.values.reduce(0, +)
                        )
                    )
                    tick = tick + .seconds(1)
                    if tick >= measureEnd { return }
                    try? await clock.sleep(until: tick)
                }
            }
            let window = EventLoopDriver.Window(start: start, measureStart: measureStart, end: measureEnd)
            switch (configuration.mode, target as? any EventLoopLoadTarget) {
            case (.open(let schedule), let onLoops?):
                await EventLoopDriver.openLoop(
                    onLoops,
                    schedule: schedule,
                    configuration: configuration,
                    window: window,
                    recorder: recorder
                )
            case (.closed(let concurrency), let onLoops?):
                await EventLoopDriver.closedLoop(
                    onLoops,
                    concurrency: concurrency,
                    maxCalls: configuration.maxCalls,
                    window: window,
                    recorder: recorder
                )
            case (.open(let schedule), nil):
                await Self.openLoop(
                    target,
                    schedule: schedule,
                    configuration: configuration,
                    window: (start, measureStart, measureEnd),
                    recorder: recorder,
                    group: &group
                )
            case (.closed(let concurrency), nil):
                Self.closedLoop(
                    target,
                    concurrency: concurrency,
                    maxCalls: configuration.maxCalls,
                    window: (measureStart, measureEnd),
                    recorder: recorder,
                    group: &group
                )
            }
            done.withLockedValue { $0 = true }
        }
        let cpuAfter = ProcessCPU.seconds()
        let cpu = cpuBefore.withLockedValue { $0 }.map { cpuAfter - $0 } ?? 0
        var result = LoadResult(
            target: target.name,
            configuration: configuration,
            snapshot: recorder.snapshot,
            clientCPUSeconds: cpu
        )
        if let before = serverCPUBefore.withLockedValue({ $0 }),
            let after = ProcessCPU.seconds(ofProcesses: serverProcesses), result.answered > 0
        {
            result.serverCPUMicrosPerCall = (after - before) / Double(result.answered) * 1e6
        }
        return result
    }

    private static func openLoop(
        _ target: any LoadTarget,
        schedule: ArrivalSchedule,
        configuration: LoadRunConfiguration,
        window: (start: ContinuousClock.Instant, measureStart: ContinuousClock.Instant, end: ContinuousClock.Instant),
        recorder: LatencyRecorder,
        group: inout DiscardingTaskGroup
    ) async {
        let clock = ContinuousClock()
        let inFlight = NIOLockedValueBox(0)
        var index = 0
        for offset in schedule {
            let intended = window.start + .nanoseconds(offset)
            if intended >= window.end { break }
            if let maxCalls = configuration.maxCalls, index >= maxCalls { break }
            if intended > clock.now {
                try? await clock.sleep(until: intended, tolerance: .zero)
            }
            // A due call waits for a slot when too many are outstanding; the wait is part of its latency.
            while inFlight.withLockedValue({ $0 }) >= configuration.maxInFlight {
                try? await clock.sleep(for: .microseconds(100))
            }
            inFlight.withLockedValue { $0 += 1 }
            let counted = intended >= window.measureStart
            let callIndex = index
            group.addTask {
                let sent = clock.now
                recorder.recordSent(due: counted, inWindow: sent >= window.measureStart && sent < window.end)
                let outcome = await target.call(callIndex)
                let finished = clock.now
                if counted {
                    recorder.record(
                        outcome,
                        latency: Self.nanoseconds(finished - intended),
                        serviceTime: Self.nanoseconds(finished - sent)
                    )
                }
                inFlight.withLockedValue { $0 -= 1 }
            }
            index += 1
        }
    }

    private static func closedLoop(
        _ target: any LoadTarget,
        concurrency: Int,
        maxCalls: Int?,
        window: (measureStart: ContinuousClock.Instant, end: ContinuousClock.Instant),
        recorder: LatencyRecorder,
        group: inout DiscardingTaskGroup
    ) {
        let clock = ContinuousClock()
        let nextIndex = NIOLockedValueBox(0)
        for _ in 0..<max(1, concurrency) {
            group.addTask {
                while clock.now < window.end {
                    let index: Int? = nextIndex.withLockedValue { next in
                        if let maxCalls, next >= maxCalls { return nil }
                        defer { next += 1 }
                        return next
                    }
                    guard let index else { return }
                    let sent = clock.now
                    let counted = sent >= window.measureStart
                    recorder.recordSent(due: counted, inWindow: counted)
                    let outcome = await target.call(index)
                    if counted {
                        let elapsed = Self.nanoseconds(clock.now - sent)
                        recorder.record(outcome, latency: elapsed, serviceTime: elapsed)
                    }
                }
            }
        }
    }

    /// A duration in whole nanoseconds.
    public static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(nanoseconds(duration)) / 1e9
    }
}
