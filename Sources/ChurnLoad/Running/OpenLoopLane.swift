internal import NIOCore
internal import Synchronization

/// One lane of an open loop: the calls of the schedule whose number is `lane` modulo the lane
/// count, sent from `eventLoop` at their intended times (late ones at once), each latency
/// counted from its intended time.
///
/// Its state is touched on `eventLoop` only.
final class OpenLoopLane: EventLoopLane, @unchecked Sendable {
    private let run: EventLoopDriver.Run
    private let lane: Int
    private let eventLoop: any EventLoop
    private let maxInFlight: Int
    private let clock = ContinuousClock()
    private var arrivals: ArrivalSchedule.Iterator
    /// The schedule position of the next arrival drawn (every lane draws every arrival).
    private var position = 0
    /// This lane's next call: its number and intended send time; nil once the lane has sent all.
    private var next: (index: Int, intended: ContinuousClock.Instant)?
    private var outstanding = 0
    private var allSent = false
    /// Succeeds once every call of the lane has been sent and has finished.
    let finished: EventLoopFuture<Void>
    private let finishedPromise: EventLoopPromise<Void>

    init(run: EventLoopDriver.Run, lane: Int, schedule: ArrivalSchedule, maxInFlight: Int) {
        self.run = run
        self.lane = lane
        self.eventLoop = run.eventLoop(ofLane: lane)
        self.maxInFlight = maxInFlight
        self.arrivals = schedule.makeIterator()
        self.finishedPromise = self.eventLoop.makePromise()
        self.finished = self.finishedPromise.futureResult
    }

    func begin() {
        self.eventLoop.execute {
            self.drawNext()
            self.sendDue()
        }
    }

    /// Moves `next` to this lane's next arrival, or to nil past the window or `maxCalls`.
    private func drawNext() {
        while let offset = self.arrivals.next() {
            let index = self.position
            self.position += 1
            let intended = self.run.window.start + .nanoseconds(offset)
            if intended >= self.run.window.end || self.run.maxCalls.map({ index >= $0 }) == true { break }
            if index % self.run.lanes == self.lane {
                self.next = (index, intended)
                return
            }
        }
        self.next = nil
    }

    /// Sends every call that is due, then sleeps until the next one is (or a slot frees).
    private func sendDue() {
        let now = self.clock.now
        while let call = self.next {
            if call.intended > now {
                self.wake(in: call.intended - now)
                return
            }
            // A due call waits for a slot when too many are outstanding; the wait is part of its latency.
            if self.run.inFlight.load(ordering: .relaxed) >= self.maxInFlight {
                self.wake(in: .microseconds(100))
                return
            }
            self.run.inFlight.add(1, ordering: .relaxed)
            self.outstanding += 1
            self.send(call.index, intended: call.intended)
            self.drawNext()
        }
        self.allSent = true
        self.finishIfDone()
    }

    private func wake(in delay: Duration) {
        self.eventLoop.scheduleTask(in: TimeAmount(delay)) { self.sendDue() }
    }

    private func send(_ index: Int, intended: ContinuousClock.Instant) {
        let window = self.run.window
        let counted = intended >= window.measureStart
        let sent = self.clock.now
        self.run.recorder.recordSent(due: counted, inWindow: sent >= window.measureStart && sent < window.end)
        self.run.target.start(index) { outcome in
            let finished = ContinuousClock.now
            if counted {
                self.run.recorder.record(
                    outcome,
                    latency: LoadRunner.nanoseconds(finished - intended),
                    serviceTime: LoadRunner.nanoseconds(finished - sent)
                )
            }
            self.run.inFlight.subtract(1, ordering: .relaxed)
            if self.eventLoop.inEventLoop {
                self.callFinished()
            } else {
                self.eventLoop.execute { self.callFinished() }
            }
        }
    }

    private func callFinished() {
        self.outstanding -= 1
        self.finishIfDone()
    }

    private func finishIfDone() {
        if self.allSent && self.outstanding == 0 { self.finishedPromise.succeed() }
    }
}
