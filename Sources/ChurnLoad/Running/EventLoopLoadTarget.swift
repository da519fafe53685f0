public import NIOCore

/// A ``LoadTarget`` whose calls can be started on event loops and report their outcomes there,
/// so that ``LoadRunner`` drives it without a task, a timer of the concurrency runtime or a
/// thread hop per call: each of its event loops paces and records its own share of the calls.
///
/// The load generator shares the machine with the server it measures; at thousands of calls a
/// second those hops cost it more CPU than the server spends answering, and that CPU is taken
/// from the server. Targets that cannot do this (the gRPC peer's client) stay plain
/// ``LoadTarget``s and run one task per call, as do ``BatchTarget``'s calls of several frames.
public protocol EventLoopLoadTarget: LoadTarget {
    /// The event loops calls are spread over: call `index` is cheapest started on
    /// `eventLoops[index % eventLoops.count]`. Never empty.
    var eventLoops: [any EventLoop] { get }

    /// Starts call number `index` and calls `completion` once with its outcome, on the call's
    /// event loop when it can (or on any thread, while a connection is being opened). Started on
    /// that loop, it returns without waiting; `completion` may run before it returns.
    func start(_ index: Int, completion: @escaping @Sendable (CallOutcome) -> Void)
}
