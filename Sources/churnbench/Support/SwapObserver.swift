import ChurnLoad
import ChurnWire
import Foundation
import Histogram
import NIOConcurrencyHelpers

/// Watches the answers of a hot-swap run: which scorer answered with which version and when,
/// whether that version was live, and latency inside and outside the swap windows.
final class SwapObserver: Sendable {
    /// A registry change: when it committed, the version before and the version after.
    struct Change: Sendable {
        var label: String
        var at: ContinuousClock.Instant
        var from: UInt32
        var to: UInt32
    }

    private struct State {
        var changes: [Change] = []
        var initial: UInt32 = 0
        /// Per change, per scorer: when that scorer first answered with the change's version.
        var firstServed: [[ContinuousClock.Instant?]] = []
        var unexpected: [String] = []
        var answered = 0
        var swapWindow = Histogram<UInt64>(
            highestTrackableValue: 60_000_000_000,
            numberOfSignificantValueDigits: .three
        )
        var steady = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    }

    let scorers: Int
    let slots: Int
    let window: Duration
    /// How long after a change the previous version may still answer (a scorer still loading).
    let grace: Duration
    private let state = NIOLockedValueBox(State())
    private let measuringFrom: ContinuousClock.Instant

    init(
        scorers: Int,
        slots: Int,
        initialVersion: UInt32,
        measuringFrom: ContinuousClock.Instant,
        window: Duration = .seconds(1),
        grace: Duration = .seconds(5)
    ) {
        self.scorers = scorers
        self.slots = slots
        self.window = window
        self.grace = grace
        self.measuringFrom = measuringFrom
        self.state.withLockedValue { $0.initial = initialVersion }
    }

    /// Records a committed change.
    func changed(_ label: String, from: UInt32, to: UInt32, at: ContinuousClock.Instant) {
        self.state.withLockedValue { state in
            state.changes.append(Change(label: label, at: at, from: from, to: to))
            state.firstServed.append(Array(repeating: nil, count: self.scorers))
        }
    }

    /// Takes one answer (from ``ScoreTarget``'s hook).
    func observe(_ answer: ScoreTarget.Answer) {
        let version = answer.response.model.version
        let scorer = (answer.index % self.slots) % self.scorers
        let nanoseconds = UInt64(max(1, LoadRunner.nanoseconds(answer.answeredAt - answer.sentAt)))
        self.state.withLockedValue { state in
            state.answered += 1
            // What was live: the current production version, and the one before it while the
            // last change is younger than the grace period (scorers still loading).
            let current = state.changes.last { $0.at <= answer.sentAt }
            var allowed: Set<UInt32> = [current?.to ?? state.initial]
            if let current, answer.sentAt - current.at < self.grace { allowed.insert(current.from) }
            if let next = state.changes.last, next.at > answer.sentAt, next.at <= answer.answeredAt {
                allowed.insert(next.to)
            }
            if !allowed.contains(version), state.unexpected.count < 20 {
                state.unexpected.append("scorer \(scorer + 1) answered v\(version) when \(allowed.sorted()) were live")
            }
            for (number, change) in state.changes.enumerated()
            where version == change.to && answer.answeredAt >= change.at && state.firstServed[number][scorer] == nil {
                state.firstServed[number][scorer] = answer.answeredAt
            }
            guard answer.sentAt >= self.measuringFrom else { return }
            let inWindow = state.changes.contains { answer.sentAt >= $0.at && answer.sentAt - $0.at < self.window }
            if inWindow {
                _ = state.swapWindow.record(nanoseconds)
            } else if state.changes.allSatisfy({ answer.sentAt < $0.at || answer.sentAt - $0.at >= self.window }) {
                _ = state.steady.record(nanoseconds)
            }
        }
    }

    /// Per change: its label, and how long until every scorer (and the slowest) served it.
    var propagation: [(change: Change, everyScorer: Duration?, perScorer: [Duration?])] {
        self.state.withLockedValue { state in
            zip(state.changes, state.firstServed).map { change, served in
                let each = served.map { $0.map { $0 - change.at } }
                let all = each.contains { $0 == nil } ? nil : each.compactMap { $0 }.max()
                return (change, all, each)
            }
        }
    }

    var unexpected: [String] { self.state.withLockedValue { $0.unexpected } }
    var answered: Int { self.state.withLockedValue { $0.answered } }

    /// p99 (µs, of the time on the connection) in the swap windows and outside them.
    var p99: (swap: Double, steady: Double, swapCalls: UInt64, steadyCalls: UInt64) {
        self.state.withLockedValue { state in
            (
                Double(state.swapWindow.valueAtPercentile(99)) / 1_000,
                Double(state.steady.valueAtPercentile(99)) / 1_000,
                state.swapWindow.totalCount, state.steady.totalCount
            )
        }
    }
}
