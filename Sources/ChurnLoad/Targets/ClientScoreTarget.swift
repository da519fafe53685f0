public import ChurnClient
internal import ChurnTransport
internal import ChurnWire

/// Unary `Score` calls through ``ChurnClient``, the Swift SDK internal services link: one Swift
/// task per call awaiting `score`, with the client's pooled connections, deadline and retries,
/// as a service in its own request path makes them. Beside ``ScoreTarget`` (calls started on the
/// connections' event loops, which spends the least CPU a caller can) it shows what a Swift
/// caller of the SDK gets: the latency its tasks see and the CPU its calls cost.
///
/// A call the client retried counts once, answered or failed as the client ended it.
public struct ClientScoreTarget: LoadTarget {
    public let name: String
    private let client: ChurnClient
    private let requests: ScoreRequests
    private let timeout: Duration

    /// Makes a target over `client`, which it closes in ``close()``.
    ///
    /// - Parameter timeout: each call's deadline, retries included; a call past it counts as
    ///   `DEADLINE_EXCEEDED`.
    public init(name: String, client: ChurnClient, requests: ScoreRequests, timeout: Duration = .seconds(5)) {
        self.name = name
        self.client = client
        self.requests = requests
        self.timeout = timeout
    }

    public func call(_ index: Int) async -> CallOutcome {
        do {
            _ = try await self.client.score(self.requests.request(index), timeout: self.timeout)
            return .answered(rows: 1)
        } catch {
            return .failed(error)
        }
    }

    public func close() async {
        await self.client.close()
    }
}
