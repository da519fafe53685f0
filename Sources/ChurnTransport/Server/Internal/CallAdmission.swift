internal import NIOCore
internal import Synchronization

/// Decides, for the whole server, whether a new call is served or shed. A call is admitted at
/// its request HEADERS unless the server is already holding
/// ``RPCServerConfiguration/Limits/maxBufferedRequestBytes`` of request frames that are still
/// arriving, or ``RPCServerConfiguration/Limits/maxCallsInProgress`` calls; otherwise it is
/// answered `OVERLOADED` at once instead of being queued behind the others. Calls already
/// admitted always run to their end.
///
/// Why buffered bytes: a server that takes every stream past its capacity shares its reads
/// among all of them, so every large request arrives slowly, piece by piece, until all of them
/// miss their deadlines and it answers none in time (the batch overload run in
/// `bench/README.md`). Bytes of unfinished frames are that backlog, and its memory. Unary calls
/// hold almost none (a request arrives in one piece and is answered at once), so many of them
/// in flight are never shed for it; the bound on calls is the backstop for everything else.
///
/// It also keeps the retry hint an `OVERLOADED` answer carries: a moving average of how long
/// admitted calls waited for their first answer, the time the work in progress takes to turn
/// over. Updates race between event loops without a lock; a lost update only ages the average
/// a little.
///
/// Thread-safe: shared by every connection's event loop.
final class CallAdmission: Sendable {
    /// What ``admit()`` decided.
    enum Decision: Equatable {
        case admitted
        /// ``CallAdmission/callLimit`` calls are in progress.
        case tooManyCalls
        /// ``CallAdmission/byteLimit`` bytes of request frames are still arriving.
        case tooManyBytesArriving
    }

    /// Why a call was shed: the `reason` label of `churnguard_rpc_calls_shed_total`.
    enum ShedReason: String, CaseIterable, Sendable {
        /// It waited longer than the arrival-delay limit before its HEADERS were read.
        case lateAtHeaders = "late_at_headers"
        /// Its HEADERS were in time, its first frame was not (its body waited behind others'
        /// in flow control).
        case lateAtFirstFrame = "late_at_first_frame"
        /// It waited longer than the standing-queue rule's target while the calls on its
        /// connection had all waited longer for the rule's interval
        /// (``RPCServerConfiguration/Limits/standingQueue``).
        case standingQueue = "standing_queue"
        /// ``CallAdmission/callLimit`` calls were in progress.
        case callsInProgress = "calls_in_progress"
        /// ``CallAdmission/byteLimit`` bytes of request frames were still arriving.
        case bytesArriving = "bytes_arriving"
    }

    /// The most calls served at once.
    let callLimit: Int
    /// The most bytes of unfinished request frames held before new calls are shed.
    let byteLimit: Int
    private let inProgress = Atomic<Int>(0)
    private let bufferedBytes = Atomic<Int>(0)
    /// Moving average (weight 1/8) of the time from admission to first answer, in nanoseconds.
    private let averageFirstAnswerNanoseconds = Atomic<Int64>(0)
    private let shedCount = Atomic<Int>(0)
    /// Counts each call shed, by reason.
    private let onShed: @Sendable (ShedReason) -> Void

    /// The retry hint's bounds, in milliseconds.
    static let retryAfterRange: ClosedRange<Int64> = 1...5_000

    init(callLimit: Int, byteLimit: Int = .max, onShed: @escaping @Sendable (ShedReason) -> Void = { _ in }) {
        precondition(callLimit > 0 && byteLimit > 0, "admission limits must be positive")
        self.callLimit = callLimit
        self.byteLimit = byteLimit
        self.onShed = onShed
    }

    /// Calls in progress now.
    var callsInProgress: Int { self.inProgress.load(ordering: .relaxed) }

    /// Bytes of request frames received and not yet complete, over all calls, now.
    var bytesArriving: Int { self.bufferedBytes.load(ordering: .relaxed) }

    /// Calls shed since the server started.
    var callsShed: Int { self.shedCount.load(ordering: .relaxed) }

    /// Takes a place for a new call, or says why there is none (the call must then be shed:
    /// ``shed(_:)`` counts it and gives the retry hint).
    func admit() -> Decision {
        if self.bufferedBytes.load(ordering: .relaxed) >= self.byteLimit { return .tooManyBytesArriving }
        let taken = self.inProgress.wrappingAdd(1, ordering: .relaxed).newValue
        if taken <= self.callLimit { return .admitted }
        self.inProgress.wrappingSubtract(1, ordering: .relaxed)
        return .tooManyCalls
    }

    /// Counts a call shed for `reason` and returns how long its caller should wait before
    /// trying this server again, in milliseconds.
    func shed(_ reason: ShedReason) -> UInt32 {
        self.shedCount.wrappingAdd(1, ordering: .relaxed)
        self.onShed(reason)
        return UInt32(self.retryAfterMilliseconds)
    }

    /// The retry hint: the average wait for a first answer, within ``retryAfterRange``.
    var retryAfterMilliseconds: Int64 {
        let average = self.averageFirstAnswerNanoseconds.load(ordering: .relaxed)
        return min(max(average / 1_000_000, Self.retryAfterRange.lowerBound), Self.retryAfterRange.upperBound)
    }

    /// An admitted call wrote its first answer `elapsed` after it was admitted.
    func firstAnswer(after elapsed: TimeAmount) {
        let sample = max(elapsed.nanoseconds, 0)
        let average = self.averageFirstAnswerNanoseconds.load(ordering: .relaxed)
        self.averageFirstAnswerNanoseconds.store(average + (sample - average) / 8, ordering: .relaxed)
    }

    /// An admitted call now holds `delta` more (or, negative, fewer) bytes of unfinished frames.
    func buffered(_ delta: Int) {
        self.bufferedBytes.wrappingAdd(delta, ordering: .relaxed)
    }

    /// An admitted call ended (answered, failed, cancelled or its connection closed): its place
    /// is free, and `heldBytes`, what it still held of unfinished frames, no longer counts.
    /// Called once per admitted call.
    func release(heldBytes: Int) {
        if heldBytes != 0 { self.bufferedBytes.wrappingSubtract(heldBytes, ordering: .relaxed) }
        self.inProgress.wrappingSubtract(1, ordering: .relaxed)
    }
}
