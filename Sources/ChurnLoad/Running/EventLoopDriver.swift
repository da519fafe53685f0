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

    /// Counters the lanes of one run share.
    final class Shared: Sendable {
        /// Calls sent and not yet finished, across lanes (open loop's `maxInFlight`).
        let inFlight = Atomic<Int>(0)
        /// Calls started, across lanes (closed loop's `maxCalls`).
        let started = Atomic<Int>(0)
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
        let loops = target.eventLoops
        let shared = Shared()
        let lanes = loops.indices.map { lane in
            OpenLoopLane(
                target: target,
                lane: lane,
                eventLoop: loops[lane],
                schedule: schedule,
                configuration: configuration,
                window: window,
                recorder: recorder,
                shared: shared
            )
        }
        for lane in lanes { lane.begin() }
        for lane in lanes { try? await lane.finished.get() }
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
        let loops = target.eventLoops
        let shared = Shared()
        let callers = max(1, concurrency)
        let lanes = loops.indices.map { lane in
            ClosedLoopLane(
                target: target,
                lane: lane,
                lanes: loops.count,
                eventLoop: loops[lane],
                callers: callers / loops.count + (lane < callers % loops.count ? 1 : 0),
                maxCalls: maxCalls,
                window: window,
                recorder: recorder,
                shared: shared
            )
        }
        for lane in lanes { lane.begin() }
        for lane in lanes { try? await lane.finished.get() }
    }
}
