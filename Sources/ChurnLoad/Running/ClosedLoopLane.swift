internal import NIOCore
internal import Synchronization

/// One lane of a closed loop: `callers` callers on `eventLoop`, each sending its next call when
/// the last has finished. Calls are numbered `lane`, `lane + lanes`, … so the target routes them
/// to this lane's loop.
///
/// Its state is touched on `eventLoop` only.
final class ClosedLoopLane: EventLoopLane, @unchecked Sendable {
    private let run: EventLoopDriver.Run
    private let lane: Int
    private let eventLoop: any EventLoop
    private let callers: Int
    private let clock = ContinuousClock()
    private var callsStarted = 0
    private var running = 0
    /// True while `target.start` runs: a call that finishes inside it starts its caller's next
    /// call later, from the loop, so that failing calls cannot recurse without bound.
    private var starting = false
    /// Succeeds once every caller has stopped.
    let finished: EventLoopFuture<Void>
    private let finishedPromise: EventLoopPromise<Void>

    init(run: EventLoopDriver.Run, lane: Int, callers: Int) {
        self.run = run
        self.lane = lane
        self.eventLoop = run.eventLoop(ofLane: lane)
        self.callers = callers
        self.finishedPromise = self.eventLoop.makePromise()
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
        let overLimit = self.run.maxCalls.map { self.run.started.wrappingAdd(1, ordering: .relaxed).oldValue >= $0 }
        guard sent < self.run.window.end, overLimit != true else {
            self.running -= 1
            if self.running == 0 { self.finishedPromise.succeed() }
            return
        }
        let index = self.lane + self.run.lanes * self.callsStarted
        self.callsStarted += 1
        let counted = sent >= self.run.window.measureStart
        self.run.recorder.recordSent(due: counted, inWindow: counted)
        self.starting = true
        self.run.target.start(index) { outcome in
            if counted {
                let elapsed = LoadRunner.nanoseconds(ContinuousClock.now - sent)
                self.run.recorder.record(outcome, latency: elapsed, serviceTime: elapsed)
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
