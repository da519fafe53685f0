/// Something load is driven against: one call per invocation, with its outcome.
///
/// Targets report failures as outcomes rather than throwing, so that a run counts every error
/// by its code and goes on.
public protocol LoadTarget: Sendable {
    /// A short name for reports, such as `churnguard unary` or `fastapi`.
    var name: String { get }

    /// Makes call number `index` (numbers vary the request, such as the CRM number).
    func call(_ index: Int) async -> CallOutcome

    /// Releases connections; called once after the last call.
    func close() async
}

/// How one call ended.
public enum CallOutcome: Sendable, Equatable {
    /// Answered; `rows` is how many rows the answer scored (1 for a unary call).
    case answered(rows: Int)
    /// Failed with an error `code` (such as `UNAVAILABLE`, `DEADLINE_EXCEEDED`, `HTTP 500`) and
    /// what the error said, for the report's example of each code.
    case failed(code: String, message: String = "")
}
