public import Histogram
internal import NIOConcurrencyHelpers

/// Collects what a run's calls report, from any number of tasks at once: latencies from the
/// intended send time and from the actual send time (both in nanoseconds, in HdrHistograms with
/// three significant digits), answered calls and rows, and failures by code.
///
/// Only calls whose intended send time falls inside the measured window are recorded; the
/// warm-up's are not.
public final class LatencyRecorder: Sendable {
    /// What has been recorded so far.
    public struct Snapshot: Sendable {
        /// Latency from each call's intended send time to its answer (what a caller waits).
        public var latency: Histogram<UInt64>
        /// From the actual send to the answer: the service time alone, for comparison. It hides
        /// queueing in the load generator, so it is never the headline number.
        public var serviceTime: Histogram<UInt64>
        /// Calls due in the measured window (by intended send time); every one is sent, late
        /// or not, and ends answered or failed.
        public var sent: Int
        /// Calls whose actual send fell in the measured window: fewer than `sent` when the
        /// generator fell behind its schedule.
        public var sentInWindow: Int
        /// Calls answered.
        public var answered: Int
        /// Rows the answers scored.
        public var rows: Int
        /// Failed calls by error code.
        public var failures: [String: Int]
        /// The first message seen for each failure code: what a person reads to learn why.
        public var failureExamples: [String: String] = [:]
    }

    private let state: NIOLockedValueBox<Snapshot>

    /// Makes an empty recorder.
    public init() {
        // Up to 10 minutes; larger latencies are clamped there (and still counted).
        let empty = Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: 600_000_000_000,
            numberOfSignificantValueDigits: .three
        )
        self.state = NIOLockedValueBox(
            Snapshot(latency: empty, serviceTime: empty, sent: 0, sentInWindow: 0, answered: 0, rows: 0, failures: [:])
        )
    }

    /// Counts one call as sent: `due` when its intended send time is in the window, `inWindow`
    /// when its actual send is.
    public func recordSent(due: Bool, inWindow: Bool) {
        guard due || inWindow else { return }
        self.state.withLockedValue { state in
            if due { state.sent += 1 }
            if inWindow { state.sentInWindow += 1 }
        }
    }

    /// Records a finished call.
    ///
    /// - Parameters:
    ///   - latency: nanoseconds from its intended send time to its end.
    ///   - serviceTime: nanoseconds from its actual send to its end.
    public func record(_ outcome: CallOutcome, latency: Int64, serviceTime: Int64) {
        let latency = UInt64(clamping: max(1, min(latency, 600_000_000_000)))
        let service = UInt64(clamping: max(1, min(serviceTime, 600_000_000_000)))
        self.state.withLockedValue { state in
            switch outcome {
            case .answered(let rows):
                state.answered += 1
                state.rows += rows
                _ = state.latency.record(latency)
                _ = state.serviceTime.record(service)
            case .failed(let code, let message):
                state.failures[code, default: 0] += 1
                if state.failureExamples[code] == nil { state.failureExamples[code] = message }
            }
        }
    }

    /// A copy of everything recorded so far.
    public var snapshot: Snapshot {
        self.state.withLockedValue { $0 }
    }
}
