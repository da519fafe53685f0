import ChurnLoad
import Foundation
import Testing

@Suite("Scenario files")
struct ScenarioTests {
    @Test("a scenario reads its keys, and the rest take their defaults")
    func parses() throws {
        let scenario = try Scenario(
            parsing: """
                description = "unary at 2k"
                kind = "unary"
                top_drivers = 3
                [load]
                rate = 2_000
                arrivals = "constant"
                duration_s = 5
                """,
            name: "unary",
            source: "unary.toml"
        )
        #expect(scenario.description == "unary at 2k")
        #expect(scenario.topDrivers == 3)
        #expect(scenario.load.mode == .open(ArrivalSchedule(rate: 2_000, process: .constant)))
        #expect(scenario.load.duration == .seconds(5))
        #expect(scenario.load.warmup == .seconds(2))
        #expect(scenario.connections == 2)
        #expect(scenario.repetitions == 3)
        #expect(scenario.timeout == .seconds(5))
        #expect(scenario.address == nil)
        #expect(scenario.customerCompanies == nil)
    }

    @Test("[customers] makes calls by CRM number, for unary scenarios with scorers started here")
    func customers() throws {
        let scenario = try Scenario(parsing: "[customers]\ncompanies = 300\n", name: "c", source: "c.toml")
        #expect(scenario.customerCompanies == 300)
        let ingest = try Scenario(
            parsing: "kind = \"ingest\"\n[customers]\ncompanies = 30\n[ingest]\nevents_per_call = 25\n",
            name: "i",
            source: "i.toml"
        )
        #expect(ingest.kind == .ingest)
        #expect(ingest.eventsPerCall == 25)
        let file = #filePath.components(separatedBy: "/Tests/")[0] + "/bench/scenarios/ingest.toml"
        #expect(try Scenario(contentsOf: file).eventsPerCall == 10)
    }

    @Test("a closed-loop batch scenario")
    func closedBatch() throws {
        let scenario = try Scenario(
            parsing: """
                kind = "batch"
                [batch]
                rows_per_frame = 500
                frames_per_call = 4
                [load]
                mode = "closed"
                concurrency = 8
                [target]
                address = "127.0.0.1:7443"
                tls_dir = "certs"
                """,
            name: "b",
            source: "b.toml"
        )
        #expect(scenario.kind == .batch)
        #expect(scenario.rowsPerFrame == 500 && scenario.framesPerCall == 4)
        #expect(scenario.load.mode == .closed(concurrency: 8))
        #expect(scenario.rate == nil)
        #expect(scenario.at(rate: 10).rate == 10)
        #expect(scenario.address == "127.0.0.1:7443" && scenario.tlsDirectory == "certs")
    }

    @Test(
        "a bad scenario is refused with the file, line and key",
        arguments: [
            ("kind = \"stream\"", "kind is 'stream'"),
            ("[load]\nrate = -5", "s.toml:2: load.rate is -5.0"),
            ("[load]\nmode = \"half-open\"", "load.mode is 'half-open'"),
            ("[load]\nratee = 5", "s.toml:2: unknown key load.ratee"),
            ("[load]\nduration_s = \"ten\"", "s.toml:2: load.duration_s must be a number"),
            ("[load]\narrivals = \"bursty\"", "load.arrivals is 'bursty'"),
            (
                "kind = \"batch\"\n[customers]\ncompanies = 5",
                "[customers] runs with kind = \"unary\" or \"ingest\" only"
            ),
            ("kind = \"ingest\"", "kind = \"ingest\" needs [customers] companies = N"),
            (
                "kind = \"ingest\"\n[customers]\ncompanies = 5\n[ingest]\nevents_per_call = 0",
                "ingest.events_per_call is 0"
            ),
            (
                "[customers]\ncompanies = 5\n[target]\naddress = \"127.0.0.1:1\"",
                "[customers] needs scorers started here"
            ),
            (
                "[target]\naddress = \"10.0.0.5:7443\"",
                "s.toml:2: target.address: '10.0.0.5:7443' is not on this machine"
            ),
            ("[customers]\ncompanies = 0", "s.toml:2: customers.companies is 0"),
        ]
    )
    func refuses(text: String, message: String) {
        #expect {
            try Scenario(parsing: text, name: "s", source: "s.toml")
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test("every scenario in bench/scenarios parses")
    func committedScenariosParse() throws {
        let directory = #filePath.components(separatedBy: "/Tests/")[0] + "/bench/scenarios"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".toml") }
            .map { "\(directory)/\($0)" }
        #expect(files.count >= 4)
        for file in files {
            let scenario = try Scenario(contentsOf: file)
            #expect(!scenario.description.isEmpty)
        }
    }
}
