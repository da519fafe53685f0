import ChurnLoad
import Synchronization

/// How every call ended, when, and on which scorer, while one scorer is killed and started
/// again: what a caller saw of the outage, call by call.
final class OutageTimeline: Sendable {
    /// One call's end.
    struct Event: Sendable {
        /// The scorer the call went to (0-based).
        var scorer: Int
        /// When it ended.
        var at: ContinuousClock.Instant
        /// nil when answered; else the failure's code.
        var failure: String?
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

    func record(_ index: Int, _ outcome: CallOutcome) {
        let event: Event
        switch outcome {
        case .answered:
            event = Event(scorer: self.scorer(of: index), at: .now, failure: nil)
        case .failed(let code, _):
            event = Event(scorer: self.scorer(of: index), at: .now, failure: code)
        }
        self.events.withLock { $0.append(event) }
    }

    /// Every call's end so far, in the order recorded.
    var recorded: [Event] { self.events.withLock { $0 } }

    /// A target whose every call is recorded here.
    func recording<Inner: LoadTarget>(_ inner: Inner) -> Recording<Inner> { Recording(inner: inner, timeline: self) }

    /// `inner`, with each outcome recorded in the timeline.
    struct Recording<Inner: LoadTarget>: LoadTarget {
        let inner: Inner
        let timeline: OutageTimeline

        var name: String { self.inner.name }

        func call(_ index: Int) async -> CallOutcome {
            let outcome = await self.inner.call(index)
            self.timeline.record(index, outcome)
            return outcome
        }

        func close() async { await self.inner.close() }
    }
}
