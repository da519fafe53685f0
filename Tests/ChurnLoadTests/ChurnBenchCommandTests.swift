import ChurnLoad
import ChurnTesting
import Foundation
import Testing

/// `churnbench` as a person runs it.
@Suite("churnbench command", .serialized)
struct ChurnBenchCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(
        "run starts a scorer and the floor, loads both and the scorer through ChurnClient, and writes the result, its plot and a table"
    )
    func runWritesResults() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        let out = NSTemporaryDirectory() + "churnbench-test-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try await churnbench.run(
            [
                "run", Self.root.path + "/bench/scenarios/unary.toml", "--rate", "100", "--duration", "1",
                "--warmup", "0.5", "--repetitions", "1", "--floor", "--sdk", "--out", out, "--label", "test",
                "--quiet",
            ]
        )
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("| churnguard unary | 100 → "))
        #expect(outcome.output.contains("| transport floor | 100 → "))
        #expect(outcome.output.contains("| churnclient unary | 100 → "))
        let report = try LoadReport(contentsOf: out + "/test.json")
        #expect(report.targets.map(\.target) == ["churnguard unary", "transport floor", "churnclient unary"])
        for target in report.targets {
            #expect(target.runs.count == 1)
            #expect(target.median.failed == 0)
            #expect(target.runs[0].answered > 50)
            #expect(target.runs[0].serverCPUMicrosPerCall != nil)
        }
        let svg = try String(contentsOfFile: out + "/test.svg", encoding: .utf8)
        #expect(svg.contains("churnguard unary @ 100/s"))
    }

    @Test("run --address loads a floor started by hand, and --server-pid reports its CPU per call")
    func runLoadsAFloorStartedByHand() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let out = NSTemporaryDirectory() + "churnbench-floor-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let portFile = out + "/floor.port"
        let floor = Process()
        floor.executableURL = URL(fileURLWithPath: churnbench.path)
        floor.arguments = ["floor", "--tls-dir", certificates.directory, "--port", "0", "--port-file", portFile]
        floor.standardOutput = FileHandle.nullDevice
        floor.standardError = FileHandle.nullDevice
        try floor.run()
        defer { if floor.isRunning { floor.terminate() } }
        let port = try #require(try await waitForPortFile(portFile, of: floor), "the floor did not listen")

        let outcome = try await churnbench.run(
            [
                "run", Self.root.path + "/bench/scenarios/unary.toml", "--address", "127.0.0.1:\(port)",
                "--tls-dir", certificates.directory, "--server-pid", "\(floor.processIdentifier)", "--rate", "100",
                "--duration", "1", "--warmup", "0.5", "--repetitions", "1", "--out", out, "--label", "floor",
                "--quiet",
            ]
        )
        #expect(outcome.status == 0, "\(outcome.output)")
        let run = try #require(try LoadReport(contentsOf: out + "/floor.json").targets.first?.runs.first)
        #expect(run.failed == 0)
        #expect(run.answered > 50)
        #expect(run.serverCPUMicrosPerCall != nil)
    }

    @Test("run refuses --server-pid without --address, and one that names no process")
    func serverPidNeedsAddress() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        let outcome = try await churnbench.run(
            ["run", Self.root.path + "/bench/scenarios/unary.toml", "--server-pid", "1", "--quiet"]
        )
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("--server-pid goes with --address"), "\(outcome.output)")
        // A process id that names no process would report no CPU, silently: refused instead.
        let missing = try await churnbench.run(
            [
                "run", Self.root.path + "/bench/scenarios/unary.toml", "--address", "127.0.0.1:1",
                "--server-pid", "2147483646", "--quiet",
            ]
        )
        #expect(missing.status != 0)
        #expect(missing.output.contains("--server-pid 2147483646: no such process"), "\(missing.output)")
    }

    @Test(
        "scorer-killed kills one of two scorers under load and starts it again: its calls fail typed, the other's none"
    )
    func scorerKilled() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        let out = NSTemporaryDirectory() + "churnbench-killed-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try await churnbench.run([
            "scorer-killed", "--scorers", "2", "--rate", "200", "--warmup", "0.5", "--kill-after", "1", "--down", "1",
            "--after", "1.5", "--out", out, "--label", "killed",
        ])
        #expect(outcome.status == 0, "\(outcome.output)")
        for check in [
            "every call answered or failed with a code (sent = answered + failed): yes",
            "no call outlived its deadline",
            "the killed scorer's calls failed as UNAVAILABLE or DEADLINE_EXCEEDED only: yes",
            "no call to the other scorers failed: yes",
            "scorer 1 answered again once it listened: yes",
        ] {
            #expect(outcome.output.contains(check), "\(check)\n\(outcome.output)")
        }
        #expect(!outcome.output.contains("**no**"), "\(outcome.output)")
        let run = try #require(try LoadReport(contentsOf: out + "/killed.json").targets.first?.runs.first)
        #expect(run.sent == run.answered + run.failed)
        // About half the calls of one second went to the dead scorer: they failed, typed.
        #expect(run.failures["UNAVAILABLE", default: 0] > 20, "\(run.failures)")
        #expect(Set(run.failures.keys).isSubset(of: ["UNAVAILABLE", "DEADLINE_EXCEEDED"]), "\(run.failures)")
        #expect(FileManager.default.fileExists(atPath: out + "/killed.md"))
    }

    @Test("histories-replaced replaces every history under load: the scorer reloads it and no call fails")
    func historiesReplaced() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        let out = NSTemporaryDirectory() + "churnbench-replaced-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try await churnbench.run([
            "histories-replaced", "--companies", "60", "--rate", "100", "--warmup", "0.5", "--replace-after", "1",
            "--duration", "8", "--out", out, "--label", "replaced",
        ])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("after `demo-data` exited"), "\(outcome.output)")
        #expect(outcome.output.contains("| while the scorer reloaded |"), "\(outcome.output)")
        let run = try #require(try LoadReport(contentsOf: out + "/replaced.json").targets.first?.runs.first)
        #expect(run.failed == 0, "\(run.failures)")
        #expect(run.answered > 500)
    }

    @Test("a [customers] scenario stores histories in a private PostgreSQL and scores by CRM number alone")
    func runByCRM() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        let out = NSTemporaryDirectory() + "churnbench-crm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let scenario = out + "/by-crm.toml"
        try """
        description = "by CRM, small"
        [customers]
        companies = 60
        [load]
        rate = 100
        duration_s = 1
        warmup_s = 0.5
        repetitions = 1
        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let outcome = try await churnbench.run([
            "run", scenario, "--out", out, "--label", "crm", "--quiet",
        ])
        #expect(outcome.status == 0, "\(outcome.output)")
        let report = try LoadReport(contentsOf: out + "/crm.json")
        #expect(report.targets.map(\.target) == ["churnguard unary by CRM"])
        let run = try #require(report.targets.first?.runs.first)
        #expect(run.failed == 0, "\(run.failureExamples ?? [:])")
        #expect(run.answered > 50)
    }

    @Test("an ingest scenario records events through scorers holding histories, every call committed")
    func runIngest() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        let out = NSTemporaryDirectory() + "churnbench-ingest-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let scenario = out + "/ingest.toml"
        try """
        description = "ingest, small"
        kind = "ingest"
        [customers]
        companies = 60
        [ingest]
        events_per_call = 5
        [load]
        rate = 50
        duration_s = 1
        warmup_s = 0.5
        repetitions = 1
        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let outcome = try await churnbench.run(["run", scenario, "--out", out, "--label", "ingest", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.output)")
        let report = try LoadReport(contentsOf: out + "/ingest.json")
        #expect(report.targets.map(\.target) == ["churnguard ingest ×5 events"])
        let run = try #require(report.targets.first?.runs.first)
        #expect(run.failed == 0, "\(run.failureExamples ?? [:])")
        #expect(run.answered > 25)
        // Answered rows are events: five per call.
        #expect(run.rows == run.answered * 5)
    }

    @Test("compare exits 1 on a regression beyond noise and 0 otherwise")
    func compareExitStatus() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        let directory = NSTemporaryDirectory() + "churnbench-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let old = sampleReport(try [sampleResult(target: "a", throughput: 1_000, p50: 100, p99: 400)])
        let worse = sampleReport(try [sampleResult(target: "a", throughput: 700, p50: 100, p99: 400)])
        try old.json().write(to: URL(fileURLWithPath: directory + "/old.json"))
        try worse.json().write(to: URL(fileURLWithPath: directory + "/new.json"))
        let regressed = try await churnbench.run(["compare", directory + "/old.json", directory + "/new.json"])
        #expect(regressed.status == 1)
        #expect(
            regressed.output.contains(
                "| a | open loop at 1,000 calls/s (poisson) | throughput | 1,000/s | 700/s | -30.0 % | ±5.0 % | REGRESSED |"
            ),
            "\(regressed.output)"
        )
        // Another rate is another load: not compared, so nothing in common to compare.
        let faster = sampleReport(try [sampleResult(target: "a", throughput: 2_000, p50: 100, p99: 900, rate: 2_000)])
        try faster.json().write(to: URL(fileURLWithPath: directory + "/faster.json"))
        let other = try await churnbench.run(["compare", directory + "/old.json", directory + "/faster.json"])
        #expect(other.status != 0)
        #expect(
            other.output.contains(
                "Not compared, a: run under other loads (old: open loop at 1,000 calls/s (poisson); "
                    + "new: open loop at 2,000 calls/s (poisson))"
            ),
            "\(other.output)"
        )
        #expect(other.output.contains("the results share no target run under the same load"), "\(other.output)")
        let same = try await churnbench.run(["compare", directory + "/old.json", directory + "/old.json"])
        #expect(same.status == 0, "\(same.output)")
        let missing = try await churnbench.run(["compare", directory + "/old.json", directory + "/none.json"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("none.json is not a churnbench report"))
    }

    @Test("run refuses to load an address off this machine, before anything starts")
    func refusesAddressesElsewhere() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        for arguments in [["--address", "10.1.2.3:7443"], ["--fastapi", "example.com:80"]] {
            let outcome = try await churnbench.run(
                ["run", Self.root.path + "/bench/scenarios/unary.toml", "--quiet"] + arguments
            )
            #expect(outcome.status != 0)
            #expect(
                outcome.output.contains("\(arguments[0]): '\(arguments[1])' is not on this machine"),
                "\(outcome.output)"
            )
        }
    }

    @Test("a FastAPI peer that does not answer fails the run at once, with what the call said")
    func absentFastAPIPeer() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        let out = NSTemporaryDirectory() + "churnbench-fastapi-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try await churnbench.run(
            [
                "run", Self.root.path + "/bench/scenarios/unary.toml", "--fastapi", "127.0.0.1:1", "--rate", "100",
                "--duration", "1", "--warmup", "0", "--repetitions", "1", "--out", out, "--quiet",
            ]
        )
        #expect(outcome.status != 0)
        #expect(
            outcome.output.contains("the FastAPI peer at 127.0.0.1:1 did not answer (UNAVAILABLE): cannot connect"),
            "\(outcome.output)"
        )
        #expect(!FileManager.default.fileExists(atPath: out), "a result was written")
    }

    @Test("options that contradict each other are refused before anything starts, never silently dropped")
    func contradictoryOptions() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        let scenario = Self.root.path + "/bench/scenarios/unary.toml"
        for (arguments, message) in [
            (
                ["run", scenario, "--rate", "100", "--concurrency", "5"],
                "--rate (an open loop) and --concurrency (a closed loop) exclude each other"
            ),
            (
                ["sweep", scenario, "--p99-bound-ms", "5", "--rate", "100"],
                "a sweep sets its own rates (--from, --to, --factor): leave out --rate and --concurrency"
            ),
            (
                ["sweep", scenario, "--p99-bound-ms", "5", "--sweep-target", "grpc"],
                "--sweep-target is churnguard, floor, sdk or fastapi, not 'grpc'"
            ),
            (
                ["run", Self.root.path + "/bench/scenarios/batch.toml", "--sdk"],
                "--sdk runs with unary scenarios only"
            ),
            (
                ["run", scenario, "--sdk", "--scorers", "2"],
                "--sdk runs with one scorer: ChurnClient calls one address"
            ),
        ] {
            let outcome = try await churnbench.run(arguments + ["--quiet"])
            #expect(outcome.status != 0)
            #expect(outcome.output.contains(message), "\(outcome.output)")
            #expect(!outcome.output.contains("wrote "), "\(outcome.output)")
        }
    }

    @Test("a scenario with a misspelt key is refused before anything starts")
    func badScenario() async throws {
        let churnbench = try BuiltExecutable("churnbench", packageRoot: Self.root)
        let file = NSTemporaryDirectory() + "churnbench-\(UUID().uuidString).toml"
        try Data("[load]\nrat = 5\n".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let outcome = try await churnbench.run(["run", file])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains(":2: unknown key load.rat"))
    }
}
