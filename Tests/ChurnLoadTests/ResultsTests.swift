import ChurnLoad
import Foundation
import Testing

@Suite("Results, comparisons and plots")
struct ResultsTests {
    @Test("medians and spreads over repetitions")
    func medians() throws {
        let runs = try [
            sampleResult(target: "a", throughput: 900, p50: 100, p99: 400),
            sampleResult(target: "a", throughput: 1_000, p50: 120, p99: 500),
            sampleResult(target: "a", throughput: 1_100, p50: 110, p99: 450),
        ]
        let median = TargetRuns(target: "a", runs: runs).median
        #expect(median.throughput == 1_000)
        #expect(median.latency.p50 == 110)
        #expect(median.latency.p99 == 450)
        #expect(abs(median.spread["throughput"]! - 0.2) < 1e-9)
        #expect(TargetRuns(target: "a", runs: runs).medianRun?.latency.p99 == 450)
    }

    @Test("a report survives JSON and says what it is")
    func roundTrip() throws {
        let report = sampleReport(try [sampleResult(target: "a", throughput: 1_000, p50: 100, p99: 400)])
        let file = NSTemporaryDirectory() + "churnload-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try report.json().write(to: URL(fileURLWithPath: file))
        let read = try LoadReport(contentsOf: file)
        #expect(read.schema == "churnbench/1")
        #expect(read.targets.first?.runs.first == report.targets.first?.runs.first)
        try Data("{\"schema\": \"other\"}".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: LoadError.self) { try LoadReport(contentsOf: file) }
    }

    @Test("each failure code keeps its first message, and old reports without them still read")
    func failureExamples() throws {
        let recorder = LatencyRecorder()
        recorder.record(.failed(code: "UNAVAILABLE", message: "the connection closed"), latency: 5, serviceTime: 5)
        recorder.record(.failed(code: "UNAVAILABLE", message: "a later one"), latency: 5, serviceTime: 5)
        recorder.record(.failed(code: "OVERLOADED", message: "shedding load"), latency: 5, serviceTime: 5)
        recorder.record(.answered(rows: 1), latency: 5, serviceTime: 5)
        let snapshot = recorder.snapshot
        #expect(snapshot.failures == ["UNAVAILABLE": 2, "OVERLOADED": 1])
        #expect(snapshot.failureExamples == ["UNAVAILABLE": "the connection closed", "OVERLOADED": "shedding load"])
        // sampleResult's JSON predates failureExamples.
        #expect(try sampleResult(target: "a", throughput: 1, p50: 1, p99: 1).failureExamples == nil)
    }

    @Test("a change beyond the noise is a regression; one within it is not")
    func comparison() throws {
        let old = sampleReport(
            try [
                sampleResult(target: "a", throughput: 1_000, p50: 100, p99: 400),
                sampleResult(target: "a", throughput: 1_020, p50: 102, p99: 410),
            ]
        )
        let slower = sampleReport(
            try [
                sampleResult(target: "a", throughput: 1_000, p50: 100, p99: 600),
                sampleResult(target: "a", throughput: 1_010, p50: 101, p99: 610),
            ]
        )
        let comparison = ReportComparison(old: old, new: slower)
        #expect(comparison.hasRegression)
        let p99 = try #require(comparison.lines.first { $0.metric == "p99" })
        #expect(p99.regressed && abs(p99.change - 0.4938) < 0.001)
        #expect(comparison.lines.first { $0.metric == "throughput" }?.regressed == false)
        #expect(comparison.lines.first { $0.metric == "p50" }?.regressed == false)

        let faster = ReportComparison(old: slower, new: old)
        #expect(!faster.hasRegression)
        #expect(faster.lines.first { $0.metric == "p99" }?.improved == true)
    }

    @Test("runs under other loads are not compared: latency at another rate is not a change")
    func differentLoads() throws {
        let old = sampleReport(try [sampleResult(target: "a", throughput: 1_000, p50: 100, p99: 400)])
        let busier = sampleReport(try [sampleResult(target: "a", throughput: 2_000, p50: 300, p99: 4_000, rate: 2_000)])
        let comparison = ReportComparison(old: old, new: busier)
        #expect(comparison.lines.isEmpty)
        #expect(!comparison.hasRegression)
        #expect(
            comparison.differentLoads == [
                .init(
                    target: "a",
                    old: ["open loop at 1,000 calls/s (poisson)"],
                    new: ["open loop at 2,000 calls/s (poisson)"]
                )
            ]
        )
        #expect(comparison.unmatched.isEmpty)
    }

    @Test("a sweep's steps are compared rate by rate")
    func sweepSteps() throws {
        func sweep(_ steps: [(rate: Double, p99: Double)]) throws -> LoadReport {
            let targets = try steps.map { step in
                TargetRuns(
                    target: "a",
                    runs: [
                        try sampleResult(target: "a", throughput: step.rate, p50: 100, p99: step.p99, rate: step.rate)
                    ]
                )
            }
            return LoadReport(scenario: "unary", description: "sweep", commit: nil, targets: targets)
        }
        let old = try sweep([(500, 400), (750, 500), (1_125.5, 900)])
        let new = try sweep([(500, 410), (750, 1_000), (1_687.5, 9_000)])
        let comparison = ReportComparison(old: old, new: new)
        let p99 = comparison.lines.filter { $0.metric == "p99" }
        #expect(p99.map(\.load) == ["open loop at 500 calls/s (poisson)", "open loop at 750 calls/s (poisson)"])
        #expect(p99.map(\.regressed) == [false, true])
        // Compared under some loads, so not listed as run under other loads only.
        #expect(comparison.differentLoads.isEmpty)
    }

    @Test("more failed calls than 0.1 percentage points more is a regression, fewer an improvement")
    func failedShare() throws {
        var failing = try sampleResult(target: "a", throughput: 1_000, p50: 100, p99: 400)
        failing.failed = 30
        failing.failures = ["OVERLOADED": 30]
        let old = sampleReport(try [sampleResult(target: "a", throughput: 1_000, p50: 100, p99: 400)])
        let new = sampleReport([failing])
        let worse = try #require(ReportComparison(old: old, new: new).lines.first { $0.metric == "failed" })
        // 30 of the 10,000 calls due: 0.3 %.
        #expect(worse.old == 0 && abs(worse.new - 0.003) < 1e-12)
        #expect(worse.regressed)
        #expect(ReportComparison(old: new, new: old).lines.first { $0.metric == "failed" }?.improved == true)
        var few = failing
        few.failed = 5
        let within = try #require(
            ReportComparison(old: old, new: sampleReport([few])).lines.first { $0.metric == "failed" }
        )
        #expect(!within.regressed && !within.improved)
    }

    @Test("noisy repetitions widen what counts as noise")
    func noiseFromSpread() throws {
        let noisy = sampleReport(
            try [
                sampleResult(target: "a", throughput: 1_000, p50: 100, p99: 300),
                sampleResult(target: "a", throughput: 1_000, p50: 100, p99: 500),
            ]
        )
        let later = sampleReport(try [sampleResult(target: "a", throughput: 1_000, p50: 100, p99: 520)])
        let p99 = try #require(ReportComparison(old: noisy, new: later).lines.first { $0.metric == "p99" })
        // The old runs spread by 50 % of their median; a 30 % rise is within that.
        #expect(!p99.regressed)
        #expect(p99.noise == 0.5)
    }

    @Test("the plot has a line and a legend entry per target, on a log scale")
    func plot() throws {
        let fast = try sampleResult(target: "churnguard", throughput: 1_000, p50: 150, p99: 900)
        let slow = try sampleResult(target: "fastapi <json>", throughput: 1_000, p50: 4_000, p99: 40_000)
        let svg = PercentilePlot.svg(
            title: "unary",
            series: [("churnguard", fast.distribution), ("fastapi <json>", slow.distribution)]
        )
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        #expect(svg.contains("fastapi &lt;json&gt;"))
        for label in ["100 µs", "1 ms", "10 ms", "100 ms", "99.9%"] { #expect(svg.contains(label), "\(label)") }
    }
}
