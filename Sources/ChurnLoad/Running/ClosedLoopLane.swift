internal import NIOCore
internal import Synchronization

/// One lane of a closed loop: `callers` callers on `eventLoop`, each sending its next call when
/// the last has finished. Calls are numbered `lane`, `lane + lanes`, … so the target routes them
/// to this lane's loop.
///
/// Its state is touched on `eventLoop` only.
final class ClosedLoopLane: @unchecked Sendable {
    private let target: any EventLoopLoadTarget
    private let lane: Int
    private let lanes: Int
    private let eventLoop: any EventLoop
    private let callers: Int
    private let maxCalls: Int?
    private let window: EventLoopDriver.Window
    private let recorder: LatencyRecorder
    private let shared: EventLoopDriver.Shared
    private let clock = ContinuousClock()
    private var callsStarted = 0
    private var running = 0
    /// True while `target.start` runs: a call that finishes inside it starts its caller's next
    /// call later, from the loop, so that failing calls cannot recurse without bound.
    private var starting = false
    /// Succeeds once every caller has stopped.
    let finished: EventLoopFuture<Void>
    private let finishedPromise: EventLoopPromise<Void>

    init(
        target: any EventLoopLoadTarget,
        lane: Int,
        lanes: Int,
        eventLoop: any EventLoop,
        callers: Int,
        maxCalls: Int?,
        window: EventLoopDriver.Window,
        recorder: LatencyRecorder,
        shared: EventLoopDriver.Shared
    ) {
        self.target = target
        self.lane = lane
        self.lanes = lanes
        self.eventLoop = eventLoop
        self.callers = callers
        self.maxCalls = maxCalls
        self.window = window
        self.recorder = recorder
        self.shared = shared
        self.finishedPromise = eventLoop.makePromise()
        self.finished = self.finishedPromise.futureResult
    }

    func begin() {
        self.eventLoop.execute {
            self.running = self.callers
            if self.callers == 0 { self.finishedPromise.succeed() }
            for _ in 0..<self.callers { self.startNext() }
        }
    }

    private func startNext() {
        let sent = self.clock.now
        let overLimit = self.maxCalls.map { self.shared.started.wrappingAdd(1, ordering: .relaxed).oldValue >= $0 }
        guard sent < self.window.end, overLimit != true else {
            self.running -= 1
            if self.running == 0 { self.finishedPromise.succeed() }
            return
        }
        let index = self.lane + self.lanes * self.callsStarted
        self.callsStarted += 1
        let counted = sent >= self.window.measureStart
        self.recorder.recordSent(due: counted, inWindow: counted)
        self.starting = true
        self.target.start(index) { outcome in
            if counted {
                let elapsed = LoadRunner.nanoseconds(ContinuousClock.now - sent)
                self.recorder.record(outcome, latency: elapsed, serviceTime: elapsed)
            }
            if self.eventLoop.inEventLoop && !self.starting {
                self.startNext()
            } else {
                self.eventLoop.execute { self.startNext() }
            }
        }
        self.starting = false
    }
}
