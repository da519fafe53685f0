/// Runs a scenario against several targets in turn, repetition by repetition (A B C, A B C, …),
/// so that every target meets the same machine conditions and drift shows as spread.
public enum ScenarioRunner {
    /// A target with the processes that serve it, when they run on this machine.
    public struct Entry: Sendable {
        public var target: any LoadTarget
        public var serverProcesses: [Int32]

        /// Makes an entry.
        public init(target: any LoadTarget, serverProcesses: [Int32] = []) {
            self.target = target
            self.serverProcesses = serverProcesses
        }
    }

    /// Runs `scenario.repetitions` rounds over `entries`; `progress` gets a line per second.
    public static func run(
        _ scenario: Scenario,
        entries: [Entry],
        progress: (@Sendable (String) -> Void)? = nil
    ) async -> [TargetRuns] {
        var runs: [[LoadResult]] = Array(repeating: [], count: entries.count)
        for repetition in 1...scenario.repetitions {
            for (index, entry) in entries.enumerated() {
                let label = "\(entry.target.name), run \(repetition) of \(scenario.repetitions)"
                progress?("\(label): starting")
                var lines: (@Sendable (LoadRunner.Progress) -> Void)? = nil
                if let progress {
                    lines = { line in progress("\(label): \(line)") }
                }
                let result = await LoadRunner.run(
                    entry.target,
                    scenario.load,
                    serverProcesses: entry.serverProcesses,
                    progress: lines
                )
                progress?(
                    "\(label): \(Int(result.throughput)) calls/s answered, p99 \(Int(result.latency.p99)) µs, \(result.failed) failed"
                )
                runs[index].append(result)
            }
        }
        return zip(entries, runs).map { TargetRuns(target: $0.target.name, runs: $1) }
    }
}
