import ChurnLoad
import Foundation

/// A result with the given medians, as a results file would hold it.
func sampleResult(
    target: String,
    throughput: Double,
    p50: Double,
    p99: Double,
    rate: Double = 1_000
) throws
    -> LoadResult
{
    let json = """
        {"target": "\(target)", "mode": "open", "targetRate": \(rate), "arrivals": "poisson",
         "durationSeconds": 10, "warmupSeconds": 2, "sent": \(Int(throughput * 10)), "answered": \(Int(throughput * 10)),
         "failed": 0, "failures": {}, "rows": \(Int(throughput * 10)), "achievedRate": \(throughput), "scheduleHeld": 1,
         "throughput": \(throughput), "rowsPerSecond": \(throughput),
         "latency": {"p50": \(p50), "p90": \(p99 * 0.8), "p99": \(p99), "p999": \(p99 * 1.5), "max": \(p99 * 2), "mean": \(p50)},
         "serviceTime": {"p50": \(p50), "p90": \(p99 * 0.8), "p99": \(p99), "p999": \(p99 * 1.5), "max": \(p99 * 2), "mean": \(p50)},
         "distribution": [{"percentile": 0, "micros": \(p50 / 2)}, {"percentile": 50, "micros": \(p50)},
                          {"percentile": 99, "micros": \(p99)}, {"percentile": 100, "micros": \(p99 * 2)}],
         "clientCPUSeconds": 1, "clientCPUPercent": 10}
        """
    return try JSONDecoder().decode(LoadResult.self, from: Data(json.utf8))
}

/// A report of one target's runs.
func sampleReport(_ runs: [LoadResult]) -> LoadReport {
    LoadReport(
        scenario: "unary",
        description: "test",
        commit: nil,
        targets: [TargetRuns(target: runs[0].target, runs: runs)]
    )
}
