import ChurnRegistry
import ChurnTesting
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A caller scoring customers by CRM number alone, through the built `churnguard`: histories go
/// into PostgreSQL, a scorer loads them at start, and `churnguard score` sends no features.
@Suite("churnguard scorer --customers-from-database")
struct CustomerScoringCommandTests {
    @Test func aScorerHoldingHistoriesScoresACustomerByCRMNumberAlone() async throws {
        let url = try await TestRegistry.freshDatabase().urlString
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("customers-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certs = folder.appendingPathComponent("certs").path
        let history = folder.appendingPathComponent("history.csv").path
        #expect(try await RegistryCommandTests.run(["db", "migrate", "--database-url", url]).status == 0)
        let stored = try await RegistryCommandTests.run([
            "demo-data", "--companies", "40", "--months", "14", "--seed", "9", "--history", history, "--to-database",
            "--database-url", url,
        ])
        #expect(stored.status == 0, "\(stored.output)")
        #expect(try await RegistryCommandTests.run(["certs", "dev", "--out", certs]).status == 0)

        // The first customer of the stored histories.
        let lines = try String(contentsOfFile: history, encoding: .utf8).split(separator: "\n")
        let fields = try #require(lines.dropFirst().first).split(separator: ",")
        let (crm, group) = (String(fields[0]), String(fields[1]))

        let portFile = folder.appendingPathComponent("port").path
        let metricsPortFile = folder.appendingPathComponent("metrics-port").path
        let cacheDirectory = folder.appendingPathComponent("cache").path
        let scorer = Process()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        scorer.executableURL = URL(fileURLWithPath: try BuiltExecutable("churnguard", packageRoot: root).path)
        scorer.arguments = [
            "scorer", "--tls-dir", certs, "--port", "0", "--port-file", portFile, "--database-url", url,
            "--customers-from-database", "--scoring-day", "latest-activity", "--metrics-port", "0",
            "--metrics-port-file", metricsPortFile, "--cache-dir", cacheDirectory,
        ]
        let log = Pipe()
        scorer.standardError = log
        scorer.standardOutput = log
        try scorer.run()
        defer { if scorer.isRunning { scorer.terminate() } }
        // Generous: in the parallel suite a process can take most of a minute to start.
        let port = try await waitForPortFile(portFile, of: scorer, limit: .seconds(90))
        let listening = try #require(port, "the scorer did not listen")
        let address = ["--address", "127.0.0.1:\(listening)", "--tls-dir", certs, "--timeout-ms", "10000"]

        let answer = try await RegistryCommandTests.run(
            ["score", "--crm", crm, "--product-group", group, "--top-drivers", "2"] + address
        )
        #expect(answer.status == 0, "\(answer.output)")
        #expect(answer.output.contains("CRM \(crm) · \(group)"), "\(answer.output)")
        #expect(answer.output.contains("risk band"), "\(answer.output)")

        let trend = try await RegistryCommandTests.run(
            ["trend", "--crm", crm, "--product-group", group, "--months", "6"] + address
        )
        #expect(trend.status == 0, "\(trend.output)")
        #expect(trend.output.contains("CRM \(crm) · \(group)"), "\(trend.output)")
        #expect(trend.output.contains("last activity"), "\(trend.output)")
        // A header line and six months.
        #expect(trend.output.split(separator: "\n").filter { $0.hasPrefix("  20") }.count == 6, "\(trend.output)")

        // Ingest: a large purchase on the scoring day, committed before the answer, changes the
        // customer's score and trend at once; sending it again changes nothing.
        let lastDay = try #require(
            trend.output.split(separator: "\n").first { $0.contains("last activity") }?.split(separator: " ").last
        )
        let events = folder.appendingPathComponent("events.csv").path
        try
            "event_id,crm,product_group,occurred_at,kind,amount\npurchase-1,\(crm),\(group),\(lastDay),purchase,250000\n"
            .write(toFile: events, atomically: true, encoding: .utf8)
        let ingested = try await RegistryCommandTests.run(["ingest", "--events", events] + address.prefix(4))
        #expect(ingested.status == 0, "\(ingested.output)")
        #expect(ingested.output.contains("1 events committed"), "\(ingested.output)")
        #expect(ingested.output.contains("1 new, 0 already recorded"), "\(ingested.output)")
        let trendAfter = try await RegistryCommandTests.run(
            ["trend", "--crm", crm, "--product-group", group, "--months", "6"] + address
        )
        let lastMonth = { (text: String) in text.split(separator: "\n").last { $0.hasPrefix("  20") }.map(String.init) }
        #expect(lastMonth(trendAfter.output) != lastMonth(trend.output), "\(trendAfter.output)")
        let scoreAfter = try await RegistryCommandTests.run(
            ["score", "--crm", crm, "--product-group", group, "--top-drivers", "2"] + address
        )
        #expect(scoreAfter.status == 0, "\(scoreAfter.output)")
        #expect(scoreAfter.output != answer.output, "the purchase changed the features scored")
        let replayed = try await RegistryCommandTests.run(["ingest", "--events", events] + address.prefix(4))
        #expect(replayed.output.contains("0 new, 1 already recorded"), "\(replayed.output)")
        let trendReplayed = try await RegistryCommandTests.run(
            ["trend", "--crm", crm, "--product-group", group, "--months", "6"] + address
        )
        #expect(trendReplayed.output == trendAfter.output)
        // A bad line stops the command before anything is sent, naming the line.
        try
            "event_id,crm,product_group,occurred_at,kind\nok-1,\(crm),\(group),\(lastDay),complaint\nbad,\(crm),\(group),\(lastDay),bought\n"
            .write(toFile: events, atomically: true, encoding: .utf8)
        let refused = try await RegistryCommandTests.run(["ingest", "--events", events] + address.prefix(4))
        #expect(refused.status != 0)
        #expect(refused.output.contains("line 3: kind 'bought'"), "\(refused.output)")
        #expect(
            try await RegistryCommandTests.run(
                ["trend", "--crm", crm, "--product-group", group, "--months", "6"] + address
            ).output == trendAfter.output,
            "nothing of the refused file was recorded"
        )
        // One the scorer refuses (from the future): named by its line, nothing of its call recorded.
        try """
        event_id,crm,product_group,occurred_at,kind,amount
        ok-2,\(crm),\(group),\(lastDay),complaint,0

        future-1,\(crm),\(group),2099-01-01,purchase,5

        """.write(toFile: events, atomically: true, encoding: .utf8)
        let future = try await RegistryCommandTests.run(["ingest", "--events", events] + address.prefix(4))
        #expect(future.status == 1, "\(future.output)")
        #expect(
            future.output.contains("error: line 4: event future-1: occurred_at_ms is on 2099-01-01"),
            "\(future.output)"
        )
        #expect(future.output.contains("0 of 2 events were committed"), "\(future.output)")
        #expect(
            try await RegistryCommandTests.run(
                ["trend", "--crm", crm, "--product-group", group, "--months", "6"] + address
            ).output == trendAfter.output,
            "nothing of the refused call was recorded"
        )

        let unknown = try await RegistryCommandTests.run(["score", "--crm", "1", "--product-group", group] + address)
        #expect(unknown.status == 1)
        #expect(unknown.output.contains("NOT_FOUND"), "\(unknown.output)")
        #expect(unknown.output.contains("no history of customer 1 in product group '\(group)'"), "\(unknown.output)")

        // As many customers held as the history file names.
        let customers = Set(lines.dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ",") }).count
        let metricsPort = try #require(
            (try? String(contentsOfFile: metricsPortFile, encoding: .utf8)).flatMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        )
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(metricsPort)/metrics")!)
        let metrics = String(decoding: data, as: UTF8.self)
        #expect(metrics.contains("churnguard_customers_held \(customers)"), "\(metrics)")

        // The same histories stored again (a replace forgets ingested events): the running scorer
        // loads them, and serves the customer as before the purchase.
        let restored = try await RegistryCommandTests.run([
            "demo-data", "--companies", "40", "--months", "14", "--seed", "9", "--to-database", "--database-url", url,
        ])
        #expect(restored.status == 0, "\(restored.output)")
        #expect(restored.output.contains("running scorers load them now"), "\(restored.output)")
        var trendRestored = ""
        for _ in 0..<200 {
            trendRestored = try await RegistryCommandTests.run(
                ["trend", "--crm", crm, "--product-group", group, "--months", "6"] + address
            ).output
            if trendRestored == trend.output { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(trendRestored == trend.output, "the scorer serves the replaced histories")
        let scoreRestored = try await RegistryCommandTests.run(
            ["score", "--crm", crm, "--product-group", group, "--top-drivers", "2"] + address
        )
        #expect(scoreRestored.output == answer.output)
        // Other histories (another seed): the scorer loads them and writes them to its cache, which
        // a scorer started with the database down serves (below).
        let cacheFile = cacheDirectory + "/customers.history-cache"
        func cacheWritten() -> Date? {
            (try? FileManager.default.attributesOfItem(atPath: cacheFile))?[.modificationDate] as? Date
        }
        let cachedBefore = try #require(cacheWritten())
        let otherHistory = folder.appendingPathComponent("history-10.csv").path
        let other = try await RegistryCommandTests.run([
            "demo-data", "--companies", "40", "--months", "14", "--seed", "10", "--history", otherHistory,
            "--to-database", "--database-url", url,
        ])
        #expect(other.status == 0, "\(other.output)")
        for _ in 0..<200 where cacheWritten() == cachedBefore { try await Task.sleep(for: .milliseconds(100)) }
        #expect(cacheWritten() != cachedBefore, "the reload rewrote the cache")
        let otherFields = try #require(
            try String(contentsOfFile: otherHistory, encoding: .utf8).split(separator: "\n").dropFirst().first
        ).split(separator: ",")
        let (otherCRM, otherGroup) = (String(otherFields[0]), String(otherFields[1]))
        let otherTrend = try await RegistryCommandTests.run(
            ["trend", "--crm", otherCRM, "--product-group", otherGroup, "--months", "6"] + address
        )
        #expect(otherTrend.status == 0, "\(otherTrend.output)")

        kill(scorer.processIdentifier, SIGTERM)
        for _ in 0..<300 where scorer.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(await scorer.exited() == 0)
        let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.contains("customer histories loaded"), "\(output)")
        #expect(output.contains("every history was replaced"), "\(output)")
        #expect(output.contains("scoring_day="), "\(output)")

        // Started again with the database unreachable, it serves the histories it cached.
        let secondPortFile = folder.appendingPathComponent("port-2").path
        let second = Process()
        second.executableURL = scorer.executableURL
        second.arguments = [
            "scorer", "--tls-dir", certs, "--port", "0", "--port-file", secondPortFile, "--database-url",
            "postgres://churnguard:x@127.0.0.1:1/churnguard", "--customers-from-database", "--scoring-day",
            "latest-activity", "--cache-dir", cacheDirectory,
        ]
        let secondLog = Pipe()
        second.standardError = secondLog
        second.standardOutput = secondLog
        try second.run()
        defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
        let secondPort = try #require(
            try await waitForPortFile(secondPortFile, of: second),
            "the second scorer did not listen"
        )
        let again = try await RegistryCommandTests.run(
            [
                "trend", "--crm", otherCRM, "--product-group", otherGroup, "--months", "6", "--address",
                "127.0.0.1:\(secondPort)", "--tls-dir", certs, "--timeout-ms", "10000",
            ]
        )
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output == otherTrend.output, "the cached histories are the last ones loaded")
        // Serving from the cache, it cannot commit events: the caller is told, and can retry.
        try "event_id,crm,product_group,occurred_at,kind\nlater-1,\(crm),\(group),\(lastDay),complaint\n"
            .write(toFile: events, atomically: true, encoding: .utf8)
        let notCommitted = try await RegistryCommandTests.run(
            [
                "ingest", "--events", events, "--address", "127.0.0.1:\(secondPort)", "--tls-dir", certs,
                "--timeout-ms", "3000",
            ]
        )
        #expect(notCommitted.status == 1, "\(notCommitted.output)")
        // The database's pool waits for a connection; the call's deadline ends the wait.
        #expect(
            notCommitted.output.contains("UNAVAILABLE") || notCommitted.output.contains("DEADLINE_EXCEEDED"),
            "\(notCommitted.output)"
        )
        #expect(notCommitted.output.contains("0 of 1 events were committed"), "\(notCommitted.output)")
        kill(second.processIdentifier, SIGTERM)
        await second.exited()
        let secondOutput = String(decoding: secondLog.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(secondOutput.contains("serving the cached customer histories"), "\(secondOutput)")
        #expect(secondOutput.contains("Connection refused"), "\(secondOutput)")
    }

    @Test func aScorerThatCannotLoadHistoriesDoesNotStartAndSaysWhy() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "customers-down-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certs = folder.appendingPathComponent("certs").path
        #expect(try await RegistryCommandTests.run(["certs", "dev", "--out", certs]).status == 0)
        // Nothing listens on port 1.
        let down = try await RegistryCommandTests.run([
            "scorer", "--tls-dir", certs, "--port", "0", "--customers-from-database", "--database-url",
            "postgres://churnguard:x@127.0.0.1:1/churnguard", "--cache-dir",
            folder.appendingPathComponent("cache").path,
        ])
        #expect(down.status == 1)
        #expect(down.output.contains("Connection refused"), "\(down.output)")
        #expect(down.output.contains("no cached histories in"), "\(down.output)")
        #expect(!down.output.contains("listening"), "\(down.output)")

        let noDatabase = try await RegistryCommandTests.run([
            "scorer", "--tls-dir", certs, "--port", "0", "--customers-from-database", "--scoring-day", "yesterday",
        ])
        #expect(noDatabase.status != 0)
        #expect(noDatabase.output.contains("--scoring-day must be today, latest-activity or YYYY-MM-DD"))
    }

    @Test func ingestChecksTheWholeFileBeforeSendingAnything() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certs = folder.appendingPathComponent("certs").path
        #expect(try await RegistryCommandTests.run(["certs", "dev", "--out", certs]).status == 0)
        let file = folder.appendingPathComponent("events.csv").path
        // Nothing listens on port 1: a file that parses gets as far as the connection.
        let send = ["ingest", "--events", file, "--address", "127.0.0.1:1", "--tls-dir", certs, "--timeout-ms", "2000"]
        let header = "event_id,crm,product_group,occurred_at,kind,amount,kag_delta\n"
        try
            (header + "a,1,g,2026-01-31,purchase,10,\nb,1,g,2026-02-01T23:59:59Z,kag_change,,-2\n"
            + "c,1,g,1769904000000,contract_start,,\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let parsed = try await RegistryCommandTests.run(send)
        #expect(parsed.status == 1, "\(parsed.output)")
        #expect(parsed.output.contains("0 of 3 events were committed"), "\(parsed.output)")
        for (content, words) in [
            ("event_id,crm\n", "line 1: the column product_group is missing"),
            ("event_id,crm,product_group,occurred_at,kind,colour\n", "line 1: unknown column 'colour'"),
            (header + "a,x,g,2026-01-31,purchase,1,0\n", "line 2: crm 'x' is not a CRM number"),
            (header + "a,1,g,2026-02-30,purchase,1,0\n", "line 2: occurred_at '2026-02-30' is not"),
            (header + "a,1,g,2026-01-31T25:00:00Z,purchase,1,0\n", "line 2: occurred_at"),
            (header + "a,1,g,2026-01-31,purchase,lots,0\n", "line 2: amount 'lots' is not a number"),
            (header + "a,1,g,2026-01-31,kag_change,0,1.5\n", "line 2: kag_delta '1.5' is not a whole number"),
            (header + "a,1,g,2026-01-31,purchase,1\n", "line 2: 6 fields, the header has 7"),
            ("", "is empty: it needs a header line"),
        ] {
            try content.write(toFile: file, atomically: true, encoding: .utf8)
            let refused = try await RegistryCommandTests.run(send)
            #expect(refused.status != 0)
            #expect(refused.output.contains(words), "\(refused.output)")
            #expect(!refused.output.contains("were committed"), "nothing was sent: \(refused.output)")
        }
    }

    @Test func eventsIngestedThroughOneScorerReachAnother() async throws {
        let demo = try await DemoScorers.make("two-scorers")
        defer { demo.remove() }
        let (folder, certs) = (demo.folder, demo.certs)
        let fields = try #require(
            try String(contentsOfFile: demo.history, encoding: .utf8).split(separator: "\n").dropFirst().first
        ).split(separator: ",")
        let (crm, group) = (String(fields[0]), String(fields[1]))
        var scorers: [Process] = []
        defer { for scorer in scorers where scorer.isRunning { kill(scorer.processIdentifier, SIGKILL) } }
        var ports: [Int] = []
        for number in 1...2 {
            let scorer = try await demo.startScorer(number)
            scorers.append(scorer.process)
            ports.append(scorer.port)
        }
        func trend(_ port: Int) async throws -> String {
            try await RegistryCommandTests.run([
                "trend", "--crm", crm, "--product-group", group, "--months", "1", "--address", "127.0.0.1:\(port)",
                "--tls-dir", certs, "--timeout-ms", "10000",
            ]).output
        }
        let before = try await trend(ports[1])
        let lastDay = try #require(
            before.split(separator: "\n").first { $0.contains("last activity") }?.split(separator: " ").last
        )
        let events = folder.appendingPathComponent("events.csv").path
        try "event_id,crm,product_group,occurred_at,kind,amount\nx-1,\(crm),\(group),\(lastDay),purchase,99999\n"
            .write(toFile: events, atomically: true, encoding: .utf8)
        let ingested = try await RegistryCommandTests.run([
            "ingest", "--events", events, "--address", "127.0.0.1:\(ports[0])", "--tls-dir", certs,
        ])
        #expect(ingested.output.contains("1 new"), "\(ingested.output)")
        // The second scorer follows the first's commit (LISTEN/NOTIFY), without a restart.
        var after = before
        for _ in 0..<200 where after == before {
            try await Task.sleep(for: .milliseconds(100))
            after = try await trend(ports[1])
        }
        #expect(after != before, "the second scorer never saw the event: \(after)")
        #expect(after == (try await trend(ports[0])), "both scorers answer the same")
    }
}
