import ChurnLoad
import Synchronization

/// How every call ended, when, how long it took and on which scorer: what a caller saw of an
/// event under load (a scorer killed, the histories replaced), call by call.
final class CallTimeline: Sendable {
    /// One call's end.
    struct Event: Sendable {
        /// The scorer the call went to (0-based).
        var scorer: Int
        /// When it ended.
        var at: ContinuousClock.Instant
        /// nil when answered; else the failure's code.
        var failure: String?
        /// From the call's start (its dispatch, not its intended send time) to its end.
        var took: Duration
    }

    let scorers: Int
    private let slots: Int
    private let events = Mutex<[Event]>([])

    /// - Parameters:
    ///   - scorers: scorers the calls are spread over.
    ///   - slots: connection slots (``ConnectionSet`` puts slot `s` on scorer `s % scorers`).
    init(scorers: Int, slots: Int) {
        self.scorers = scorers
        self.slots = slots
    }

    /// The scorer call `index` goes to.
    func scorer(of index: Int) -> Int { index % self.slots % self.scorers }

    func record(_ index: Int, _ outcome: CallOutcome, startedAt: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        var event = Event(scorer: self.scorer(of: index), at: now, failure: nil, took: now - startedAt)
        if case .failed(let code, _) = outcome { event.failure = code }
        self.events.withLock { $0.append(event) }
    }

    /// Every call's end so far, in the order recorded.
    var recorded: [Event] { self.events.withLock { $0 } }

    /// A target whose every call is recorded here.
    func recording<Inner: LoadTarget>(_ inner: Inner) -> Recording<Inner> { Recording(inner: inner, timeline: self) }

    /// `inner`, with each outcome recorded in the timeline.
    struct Recording<Inner: LoadTarget>: LoadTarget {
        let inner: Inner
        let timeline: CallTimeline

        var name: String { self.inner.name }

        func call(_ index: Int) async -> CallOutcome {
            let started = ContinuousClock.now
            let outcome = await self.inner.call(index)
            self.timeline.record(index, outcome, startedAt: started)
            return outcome
        }

        func close() async { await self.inner.close() }
    }
}
