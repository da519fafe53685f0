/// What one load run measured: the numbers a report states, as JSON (schema in bench/README.md).
public struct LoadResult: Codable, Sendable, Hashable {
    /// What was loaded, such as `churnguard unary`.
    public var target: String
    /// `open` or `closed`.
    public var mode: String
    /// Open loop: the arrival rate asked for (calls/s) and the process (`constant`, `poisson`).
    public var targetRate: Double?
    public var arrivals: String?
    /// Closed loop: how many callers.
    public var concurrency: Int?
    /// The measured window and the warm-up before it, in seconds.
    public var durationSeconds: Double
    public var warmupSeconds: Double
    /// Calls due in the window (all sent, late or not), answered, and failed (by error code).
    public var sent: Int
    public var answered: Int
    public var failed: Int
    public var failures: [String: Int]
    /// The first message of each failure code (absent in reports written before it was kept).
    public var failureExamples: [String: String]?
    /// Rows scored by the answers (1 per unary call).
    public var rows: Int
    /// Calls actually sent per second of the window (compare with `targetRate`).
    public var achievedRate: Double
    /// Calls actually sent in the window over calls due in it: 1 when the generator kept to its
    /// schedule (a Poisson schedule's own randomness cancels out here).
    public var scheduleHeld: Double
    /// Answered calls and rows per second of the window.
    public var throughput: Double
    public var rowsPerSecond: Double
    /// Latency from the intended send time (what a caller waits), in microseconds.
    public var latency: LatencySummary
    /// From the actual send (service time only: hides queueing in the generator).
    public var serviceTime: LatencySummary
    /// The latency distribution, for plots.
    public var distribution: [PercentilePoint]
    /// CPU the load generator used in the window, in seconds, and as a share of one core (%).
    public var clientCPUSeconds: Double
    public var clientCPUPercent: Double
    /// CPU the server used in the window (seconds per answered call, in microseconds), when the
    /// scenario started the server and could read it.
    public var serverCPUMicrosPerCall: Double?

    init(
        target: String,
        configuration: LoadRunConfiguration,
        snapshot: LatencyRecorder.Snapshot,
        clientCPUSeconds: Double
    ) {
        self.target = target
        switch configuration.mode {
        case .open(let schedule):
            self.mode = "open"
            self.targetRate = schedule.rate
            switch schedule.process {
            case .constant: self.arrivals = "constant"
            case .poisson: self.arrivals = "poisson"
            }
            self.concurrency = nil
        case .closed(let concurrency):
            self.mode = "closed"
            self.targetRate = nil
            self.arrivals = nil
            self.concurrency = concurrency
        }
        let seconds = LoadRunner.seconds(configuration.duration)
        self.durationSeconds = seconds
        self.warmupSeconds = LoadRunner.seconds(configuration.warmup)
        self.sent = snapshot.sent
        self.answered = snapshot.answered
        self.failures = snapshot.failures
        self.failureExamples = snapshot.failureExamples.isEmpty ? nil : snapshot.failureExamples
        self.failed = snapshot.failures.values.reduce(0, +)
        self.rows = snapshot.rows
        self.achievedRate = Double(snapshot.sentInWindow) / seconds
        self.scheduleHeld = snapshot.sent == 0 ? 1 : Double(snapshot.sentInWindow) / Double(snapshot.sent)
        self.throughput = Double(snapshot.answered) / seconds
        self.rowsPerSecond = Double(snapshot.rows) / seconds
        self.latency = LatencySummary(nanoseconds: snapshot.latency)
        self.serviceTime = LatencySummary(nanoseconds: snapshot.serviceTime)
        self.distribution = PercentilePoint.distribution(of: snapshot.latency)
        self.clientCPUSeconds = clientCPUSeconds
        self.clientCPUPercent = clientCPUSeconds / seconds * 100
        self.serverCPUMicrosPerCall = nil
    }

    /// Failed calls as a share of those sent (0 when none were sent).
    public var failureRate: Double {
        self.sent == 0 ? 0 : Double(self.failed) / Double(self.sent)
    }
}
