internal import NIOCore
internal import Synchronization

/// Runs open- and closed-loop load on an ``EventLoopLoadTarget``'s event loops: one lane per
/// loop entry, each pacing its share of the calls (call `index` on lane `index % lanes`) with the
/// loop's own timers and recording each answer where it is read.
enum EventLoopDriver {
    /// The run's measured window, as ``LoadRunner`` sets it.
    struct Window: Sendable {
        var start: ContinuousClock.Instant
        var measureStart: ContinuousClock.Instant
        var end: ContinuousClock.Instant
    }

    /// What every lane of one run shares: the target, the window, the recorder, the bound on
    /// calls, and the counters kept across lanes.
    final class Run: Sendable {
        let target: any EventLoopLoadTarget
        /// How many lanes (the target's event loops); call `index` belongs to lane `index % lanes`.
        let lanes: Int
        let window: Window
        let recorder: LatencyRecorder
        /// The most calls sent in all, or nil.
        let maxCalls: Int?
        /// Calls sent and not yet finished, across lanes (open loop's `maxInFlight`).
        let inFlight = Atomic<Int>(0)
        /// Calls started, across lanes (closed loop's `maxCalls`).
        let started = Atomic<Int>(0)

        init(target: any EventLoopLoadTarget, window: Window, recorder: LatencyRecorder, maxCalls: Int?) {
            self.target = target
            self.lanes = target.eventLoops.count
            self.window = window
            self.recorder = recorder
            self.maxCalls = maxCalls
        }

        /// Lane `lane`'s event loop.
        func eventLoop(ofLane lane: Int) -> any EventLoop {
            self.target.eventLoops[lane]
        }
    }

    /// Sends calls on `schedule` until the window ends (or `maxCalls`), then waits for every
    /// call to finish.
    static func openLoop(
        _ target: any EventLoopLoadTarget,
        schedule: ArrivalSchedule,
        configuration: LoadRunConfiguration,
        window: Window,
        recorder: LatencyRecorder
    ) async {
        let run = Run(target: target, window: window, recorder: recorder, maxCalls: configuration.maxCalls)
        await self.drive(
            (0..<run.lanes).map { lane in
                OpenLoopLane(run: run, lane: lane, schedule: schedule, maxInFlight: configuration.maxInFlight)
            }
        )
    }

    /// Runs `concurrency` callers, spread over the lanes, each sending its next call when the
    /// last is answered, until the window ends (or `maxCalls`).
    static func closedLoop(
        _ target: any EventLoopLoadTarget,
        concurrency: Int,
        maxCalls: Int?,
        window: Window,
        recorder: LatencyRecorder
    ) async {
        let run = Run(target: target, window: window, recorder: recorder, maxCalls: maxCalls)
        let callers = max(1, concurrency)
        await self.drive(
            (0..<run.lanes).map { lane in
                ClosedLoopLane(
                    run: run,
                    lane: lane,
                    callers: callers / run.lanes + (lane < callers % run.lanes ? 1 : 0)
                )
            }
        )
    }

    /// Starts every lane and waits until each has finished.
    private static func drive(_ lanes: [any EventLoopLane]) async {
        for lane in lanes { lane.begin() }
        for lane in lanes { try? await lane.finished.get() }
    }
}

/// One event loop's share of a run.
protocol EventLoopLane: Sendable {
    /// Starts the lane's calls, from its event loop.
    func begin()
    /// Succeeds once the lane has no call left to send or waiting for its answer.
    var finished: EventLoopFuture<Void> { get }
}
