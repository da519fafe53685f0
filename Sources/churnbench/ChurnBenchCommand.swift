import ArgumentParser

@main
struct ChurnBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churnbench",
        abstract: "ChurnGuard's load-test harness: open-loop latency at a given rate, with peers side by side.",
        discussion: """
            Load is open-loop by default: calls leave at a fixed arrival rate (Poisson or constant) \
            whatever the server does, and every latency is measured from the call's intended send \
            time, so a stalled server cannot hide the calls it delayed. Latencies go into \
            HdrHistograms; a run reports achieved vs target rate, throughput, p50/p90/p99/p99.9/max, \
            errors by code and the CPU of client and server. Scenarios are TOML files in \
            bench/scenarios/. Results are JSON (schema in bench/README.md) with an SVG plot.

            churnbench run bench/scenarios/unary.toml --floor --out bench/results
            churnbench sweep bench/scenarios/unary.toml --p99-bound-ms 2
            churnbench compare old.json new.json
            """,
        subcommands: [
            RunCommand.self, SweepCommand.self, HotSwapCommand.self, ScorerKilledCommand.self,
            HistoriesReplacedCommand.self, CompareCommand.self,
            MergeCommand.self, FloorCommand.self,
        ]
    )
}
