public import ChurnTransport
internal import ChurnWire

extension CallOutcome {
    /// A call that failed with `error`, counted under its wire status's name (such as
    /// `UNAVAILABLE`), or `status N` for a status this build does not name.
    public static func failed(_ error: RPCError) -> CallOutcome {
        .failed(code: error.status.schemaName ?? "status \(error.status.rawValue)", message: error.message)
    }
}
