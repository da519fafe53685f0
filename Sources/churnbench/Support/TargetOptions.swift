import ArgumentParser
import ChurnLoad

/// Where load goes: a scorer the harness starts (the default) or a running one, and which
/// peers run beside it.
struct TargetOptions: ParsableArguments {
    @Option(
        help: """
            A running scorer (host:port on this machine's loopback) instead of one started here; overrides the \
            scenario's [target].
            """
    )
    var address: String?

    @Option(help: "With --address: a folder from `churnguard certs dev` (ca.pem, client.pem, client.key).")
    var tlsDir: String?

    @Option(help: "With --address: the server's process id, for its CPU per call.")
    var serverPid: Int32?

    @Option(
        help: "The model the started scorer serves (an artifact or LightGBM file); default its built-in demo model."
    )
    var model: String?

    @Option(help: "Scorer processes to start; calls are spread over them evenly (a scaling run).")
    var scorers = 1

    @Option(help: "The churnguard executable that starts scorers; default the one beside churnbench.")
    var churnguard: String?

    @Flag(help: "Also run the transport floor: a bare HTTP/2 + TLS server on the same stack answering fixed bytes.")
    var floor = false

    @Flag(
        help: """
            Also call the same scorer through ChurnClient, the Swift SDK (one task per call awaiting `score`, its \
            pooled connections and retries): what a Swift service calling it gets. Unary scenarios, one scorer.
            """
    )
    var sdk = false

    @Option(
        help:
            "Also load a FastAPI peer at host:port on the loopback (bench/peers/fastapi), with the same rows and rate."
    )
    var fastapi: String?

    @Option(help: "The FastAPI peer's process id, for its CPU per call.")
    var fastapiPid: Int32?

    @Option(help: "HTTP/1.1 connections to the FastAPI peer (one call in flight on each).")
    var fastapiConnections = 64

    /// Load goes only to servers on this machine: an address elsewhere is refused before anything
    /// starts.
    func validate() throws {
        for (option, address) in [("--address", self.address), ("--fastapi", self.fastapi)] {
            guard let address else { continue }
            do {
                _ = try LocalAddress(parsing: address)
            } catch {
                throw ValidationError("\(option): \(error.message)")
            }
        }
    }
}

/// How long and how hard, overriding the scenario file.
struct LoadOptions: ParsableArguments {
    @Option(help: "Arrival rate in calls per second (makes the run open-loop).")
    var rate: Double?

    @Option(help: "Callers of a closed loop (makes the run closed-loop).")
    var concurrency: Int?

    @Option(help: "Measured seconds per run.")
    var duration: Double?

    @Option(help: "Warm-up seconds per run (not counted).")
    var warmup: Double?

    @Option(help: "Runs per target; the report gives medians and spreads.")
    var repetitions: Int?

    @Option(help: "Connections to each ChurnGuard target.")
    var connections: Int?

    @Flag(help: "No progress lines.")
    var quiet = false

    /// An open loop at a rate and a closed loop of callers exclude each other: neither is
    /// silently dropped.
    func validate() throws {
        if self.rate != nil, self.concurrency != nil {
            throw ValidationError(
                "--rate (an open loop) and --concurrency (a closed loop) exclude each other: give one"
            )
        }
    }
}
