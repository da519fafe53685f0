import ChurnModel
import ChurnTesting
import Foundation
import Testing

/// Runs the built `churnguard demo-data`, `transactions` and `train` as an ML engineer would.
@Suite("churnguard demo-data, transactions, train", .onComputeThreads)
struct TrainingCommandTests {
    static func run(_ arguments: [String]) async throws -> BuiltExecutable.Outcome {
        let root = Fixture.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try await BuiltExecutable("churnguard", packageRoot: root).run(arguments)
    }

    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("train-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("demo data → train both kinds → show, predict and eval the artifacts")
    func workflow() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = folder.appendingPathComponent("rows.csv").path
        let history = folder.appendingPathComponent("history.csv").path
        let generated = try await Self.run([
            "demo-data", "--companies", "200", "--months", "16", "--seed", "5", "--output", rows, "--history", history,
        ])
        #expect(generated.status == 0, "\(generated.output)")
        #expect(generated.output.contains("wrote \(rows):"))
        let header = try String(contentsOfFile: rows, encoding: .utf8).prefix { $0 != "\n" }
        #expect(header.hasPrefix("id,crm,product_group,period,days_inactive"))
        #expect(try String(contentsOfFile: history, encoding: .utf8).hasPrefix("crm,product_group,month,net_revenue"))
        // The same seed writes the same file.
        let again = folder.appendingPathComponent("again.csv").path
        _ = try await Self.run(["demo-data", "--companies", "200", "--months", "16", "--seed", "5", "--output", again])
        #expect(FileManager.default.contentsEqual(atPath: rows, andPath: again))

        for kind in ["logistic", "gbdt"] {
            let model = folder.appendingPathComponent("\(kind).model").path
            let scores = folder.appendingPathComponent("\(kind)-scores.csv").path
            let trained = try await Self.run([
                "train", "--input", rows, "--kind", kind, "--output", model, "--num-iterations", "20",
                "--scores-output", scores,
            ])
            #expect(trained.status == 0, "\(trained.output)")
            #expect(trained.output.contains("train: split: training"))
            #expect(trained.output.contains("roc_auc"))
            #expect(trained.output.contains("feature importance"))
            #expect(try String(contentsOfFile: scores, encoding: .utf8).hasPrefix("id,part,label,probability\n"))

            let shown = try await Self.run(["model", "show", "--model", model])
            #expect(shown.status == 0)
            #expect(shown.output.contains("name: churn-\(kind)"))
            #expect(shown.output.contains("test_roc_auc"))
            let evaluated = try await Self.run([
                "model", "eval", "--model", model, "--input", rows, "--label-column", "churned",
            ])
            #expect(evaluated.status == 0, "\(evaluated.output)")
            #expect(evaluated.output.contains("roc_auc"))
            #expect(evaluated.output.contains("mean |contribution|"))
            let predicted = try await Self.run(["model", "predict", "--model", model, "--input", rows, "--output", "-"])
            #expect(predicted.status == 0)
        }
    }

    /// Writing through a temporary file and a rename once replaced /dev/null itself with a
    /// regular file when a root user asked for `--output /dev/null`. A FIFO stands in for the device.
    @Test("output to a FIFO or device is written into it, never replaced by a file")
    func outputToADevice() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("rows.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = folder.appendingPathComponent("received.csv").path
        _ = FileManager.default.createFile(atPath: received, contents: nil)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        reader.standardOutput = FileHandle(forWritingAtPath: received)
        try reader.run()
        let generated = try await Self.run(["demo-data", "--companies", "20", "--months", "14", "--output", fifo])
        // A command that never opened the FIFO (or renamed a file over it) leaves the reader
        // waiting for ever: give it 10 s to see the end, then kill it (it may have inherited a
        // blocked SIGTERM); the checks below fail.
        for _ in 0..<200 where reader.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if reader.isRunning { kill(reader.processIdentifier, SIGKILL) }
        await reader.exited()
        #expect(generated.status == 0, "\(generated.output)")
        var info = stat()
        #expect(stat(fifo, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFIFO, "the FIFO was replaced")
        #expect(try String(contentsOfFile: received, encoding: .utf8).hasPrefix("id,crm,product_group,period"))
        #expect(!FileManager.default.fileExists(atPath: fifo + ".partial"))
    }

    @Test("a purchase log becomes labelled rows")
    func transactions() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Customer 1 buys monthly all year; customer 2 stops after May.
        var log = "crm,date,quantity,amount\n"
        for month in 1...12 {
            let mm = month < 10 ? "0\(month)" : "\(month)"
            log += "1,2024-\(mm)-15,2,20\n"
            if month <= 5 { log += "2,2024-\(mm)-03,1,9.5\n" }
        }
        let input = folder.appendingPathComponent("log.csv")
        try log.write(to: input, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("rows.csv").path
        let result = try await Self.run([
            "transactions", "--input", input.path, "--output", output, "--product-group", "shop",
        ])
        #expect(result.status == 0, "\(result.output)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        // Snapshots June–August (the data ends 15 December; 31 August + 90 days is 29 November):
        // customer 1 three times, retained; customer 2 in June (last purchase 3 May, 28 days) and
        // July (59 days), churned; in August (120 days) it no longer counts as a customer.
        #expect(lines.count == 1 + 3 + 2)
        #expect(lines.filter { $0.hasPrefix("2/shop/") }.allSatisfy { $0.hasSuffix(",1") })
        #expect(lines.filter { $0.hasPrefix("1/shop/") }.allSatisfy { $0.hasSuffix(",0") })
    }

    @Test("bad input: a clear message and a failing exit status, no output file")
    func badInput() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("rows.csv")
        try "id,period,days_inactive,churned\na,2025-01,3,maybe\n".write(to: input, atomically: true, encoding: .utf8)
        let model = folder.appendingPathComponent("m.model").path
        let trained = try await Self.run([
            "train", "--input", input.path, "--output", model, "--features", "days_inactive",
        ])
        #expect(trained.status != 0)
        #expect(trained.output.contains("line 2, column 'churned'"))
        #expect(!FileManager.default.fileExists(atPath: model))
        let missing = try await Self.run(["train", "--input", input.path, "--output", model])
        #expect(missing.status != 0)
        #expect(missing.output.contains("no column"))
        let months = try await Self.run([
            "demo-data", "--months", "3", "--output", folder.appendingPathComponent("x.csv").path,
        ])
        #expect(months.status != 0)
        #expect(months.output.contains("--months"))
        let short = folder.appendingPathComponent("short.csv").path
        let unlabelled = try await Self.run(["demo-data", "--months", "8", "--output", short])
        #expect(unlabelled.status != 0)
        #expect(unlabelled.output.contains("no month can be labelled"))
        #expect(!FileManager.default.fileExists(atPath: short))
    }
}
