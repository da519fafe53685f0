import ArgumentParser
import ChurnClient
import ChurnLoad
import ChurnTransport
import ChurnWire
import Foundation

/// `churnbench run`: one scenario against ChurnGuard (and the peers asked for), written as JSON
/// and SVG and printed as a table.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario against a scorer (started here unless --address) and any peers.",
        discussion: """
            Targets run in turn within each repetition (ChurnGuard, floor, ChurnClient, FastAPI; then again), \
            so all meet the same machine. Progress goes to standard error; the table of medians \
            to standard output; the JSON and SVG to --out.
            """
    )

    @Argument(help: "A scenario file, such as bench/scenarios/unary.toml.")
    var scenario: String

    @OptionGroup var target: TargetOptions
    @OptionGroup var load: LoadOptions

    @Option(help: "Folder for the JSON result and SVG plot.")
    var out = "bench/results"

    @Option(help: "File name (without extension) of the result; default SCENARIO-DATE.")
    var label: String?

    func run() async throws {
        let scenario = try self.load.apply(to: try Scenario(contentsOf: self.scenario))
        let environment = try BenchEnvironment()
        do {
            let entries = try await Self.entries(for: scenario, options: self.target, environment: environment)
            let progress: (@Sendable (String) -> Void)? =
                self.load.quiet ? nil : { @Sendable line in Terminal.progress(line) }
            let runs = await ScenarioRunner.run(scenario, entries: entries, progress: progress)
            for entry in entries { await entry.target.close() }
            await environment.shutdown()
            let report = LoadReport(
                scenario: scenario.name,
                description: scenario.description,
                commit: ReportOutput.gitCommit(),
                targets: runs
            )
            let files = try ReportOutput.write(
                report,
                to: self.out,
                name: self.label ?? ReportOutput.datedName(scenario.name)
            )
            print("# \(scenario.name): \(scenario.description)\n")
            print(ReportOutput.table(report))
            print("\nwrote \(files.json) and \(files.svg)")
        } catch {
            await environment.shutdown()
            throw error
        }
    }

    /// The targets a scenario loads: ChurnGuard (started here or at an address), then the floor,
    /// the same scorer through ChurnClient and FastAPI when asked for.
    static func entries(
        for scenario: Scenario,
        options: TargetOptions,
        environment: BenchEnvironment
    ) async throws -> [ScenarioRunner.Entry] {
        if options.sdk {
            // Refused before anything starts.
            guard scenario.kind == .unary else { throw ValidationError("--sdk runs with unary scenarios only") }
            guard options.scorers == 1 else {
                throw ValidationError("--sdk runs with one scorer: ChurnClient calls one address")
            }
        }
        var entries: [ScenarioRunner.Entry] = []
        let rows = FeatureRows.demo(count: 4_096)
        let address = options.address ?? scenario.address
        let connections: ConnectionSet
        // Where ChurnClient calls with `--sdk`: the one scorer, and the certificates to call it with.
        let sdkTarget: (target: RPCConnection.Target, tlsDirectory: String?)
        var scorerProcesses: [Int32] = []
        var customers: [CustomerKey] = []
        if let address {
            if let pid = options.serverPid {
                guard ProcessCPU.seconds(ofProcess: pid) != nil else {
                    throw ValidationError("--server-pid \(pid): no such process to measure")
                }
                scorerProcesses = [pid]
            }
            let scorer = try LocalAddress(parsing: address)
            sdkTarget = (.init(host: scorer.host, port: scorer.port), options.tlsDir ?? scenario.tlsDirectory)
            connections = environment.connections(
                to: RPCConnection.Target(host: scorer.host, port: scorer.port),
                count: scenario.connections,
                tlsDirectory: options.tlsDir ?? scenario.tlsDirectory
            )
        } else {
            guard options.serverPid == nil else { throw ValidationError("--server-pid goes with --address") }
            guard (1...256).contains(options.scorers) else { throw ValidationError("--scorers must be 1 to 256") }
            let churnguard = BenchEnvironment.churnguardPath(options.churnguard)
            var scorerArguments: [String] = []
            if let companies = scenario.customerCompanies {
                // Their own database: demo-data replaces every stored history.
                let url = try environment.privateDatabase(churnguard: churnguard)
                let history = environment.workDirectory + "/history.csv"
                Terminal.progress("storing the histories of \(companies) demo companies…")
                _ = try environment.runChurnguard(
                    churnguard,
                    [
                        "demo-data", "--companies", "\(companies)", "--to-database", "--database-url", url, "--history",
                        history,
                    ]
                )
                customers = try Self.customers(inHistory: history)
                scorerArguments = [
                    "--customers-from-database", "--database-url", url, "--scoring-day", "latest-activity",
                ]
            }
            var ports: [Int] = []
            for number in 1...options.scorers {
                let scorer = try await environment.startScorer(
                    churnguard: churnguard,
                    model: options.model,
                    name: "scorer-\(number)",
                    extraArguments: scorerArguments
                )
                scorerProcesses.append(scorer.pid)
                ports.append(scorer.port)
            }
            connections = environment.connections(
                to: ports.map { .init(host: "127.0.0.1", port: $0) },
                countEach: scenario.connections
            )
            sdkTarget = (.init(host: "127.0.0.1", port: ports[0]), nil)
        }
        let model = try await environment.health(of: connections).model
        // Every connection of the generator is open before ChurnClient's (--sdk), so that the
        // scorer gives the generator's connections a loop each.
        try await connections.openAll()
        switch scenario.kind {
        case .unary:
            entries.append(
                .init(
                    target: ScoreTarget(
                        name: "churnguard unary"
                            + (customers.isEmpty ? "" : " by CRM")
                            + (scenario.topDrivers > 0 ? " + \(scenario.topDrivers) drivers" : "")
                            + (scorerProcesses.count > 1 ? " ×\(scorerProcesses.count) scorers" : ""),
                        connections: connections,
                        rows: rows,
                        schemaHash: model.featureSchemaHash,
                        topDrivers: UInt32(scenario.topDrivers),
                        timeout: scenario.timeout,
                        customers: customers
                    ),
                    serverProcesses: scorerProcesses
                )
            )
        case .ingest:
            entries.append(
                .init(
                    target: IngestTarget(
                        name: "churnguard ingest ×\(scenario.eventsPerCall) events"
                            + (scorerProcesses.count > 1 ? " ×\(scorerProcesses.count) scorers" : ""),
                        connections: connections,
                        customers: customers,
                        eventsPerCall: scenario.eventsPerCall,
                        timeout: scenario.timeout
                    ),
                    serverProcesses: scorerProcesses
                )
            )
        case .batch:
            entries.append(
                .init(
                    target: BatchTarget(
                        name: "churnguard batch"
                            + (scorerProcesses.count > 1 ? " ×\(scorerProcesses.count) scorers" : ""),
                        connections: connections,
                        rows: rows,
                        schemaHash: model.featureSchemaHash,
                        rowsPerFrame: scenario.rowsPerFrame,
                        framesPerCall: scenario.framesPerCall,
                        timeout: scenario.timeout
                    ),
                    serverProcesses: scorerProcesses
                )
            )
        }
        if options.floor {
            guard scenario.kind == .unary else { throw ValidationError("--floor runs with unary scenarios only") }
            let floor = try await environment.startFloor()
            entries.append(
                .init(
                    target: ScoreTarget(
                        name: "transport floor",
                        connections: environment.connections(
                            to: .init(host: "127.0.0.1", port: floor.port),
                            count: scenario.connections
                        ),
                        rows: rows,
                        schemaHash: model.featureSchemaHash,
                        timeout: scenario.timeout
                    ),
                    serverProcesses: [floor.pid]
                )
            )
        }
        if options.sdk {
            let client = ChurnClient(
                configuration: ChurnClientConfiguration(
                    target: sdkTarget.target,
                    tls: environment.clientTLS(directory: sdkTarget.tlsDirectory),
                    connections: scenario.connections,
                    defaultTimeout: scenario.timeout
                ),
                eventLoopGroup: environment.eventLoops,
                logger: environment.logger
            )
            // One call first, as for every target: a client that cannot call fails the run now.
            do {
                _ = try await client.health(timeout: .seconds(10))
            } catch {
                await client.close()
                throw ValidationError("ChurnClient could not call the scorer at \(sdkTarget.target): \(error)")
            }
            entries.append(
                .init(
                    target: ClientScoreTarget(
                        name: "churnclient unary"
                            + (customers.isEmpty ? "" : " by CRM")
                            + (scenario.topDrivers > 0 ? " + \(scenario.topDrivers) drivers" : ""),
                        client: client,
                        requests: ScoreRequests(
                            rows: rows,
                            schemaHash: model.featureSchemaHash,
                            topDrivers: UInt32(scenario.topDrivers),
                            customers: customers
                        ),
                        timeout: scenario.timeout
                    ),
                    serverProcesses: scorerProcesses
                )
            )
        }
        if let fastapi = options.fastapi {
            let address = try LocalAddress(parsing: fastapi)
            let target = try FastAPIPeer.target(
                for: scenario,
                host: address.host,
                port: address.port,
                connections: options.fastapiConnections,
                rows: rows
            )
            // One call first, as ChurnGuard's targets are asked for their health: a peer that is
            // not there fails the run now, not after every repetition of every target.
            if case .failed(let code, let message) = await target.call(0) {
                await target.close()
                throw ValidationError("the FastAPI peer at \(address) did not answer (\(code)): \(message)")
            }
            entries.append(.init(target: target, serverProcesses: options.fastapiPid.map { [$0] } ?? []))
        }
        return entries
    }
}

extension RunCommand {
    /// The customers (CRM number, product group) of a `demo-data --history` file, in its order.
    static func customers(inHistory path: String) throws -> [CustomerKey] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var customers: [CustomerKey] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", maxSplits: 2)
            guard fields.count >= 2, let crm = UInt64(fields[0]) else {
                throw LoadError("\(path): a line without a CRM number and product group: \(line.prefix(80))")
            }
            let key = CustomerKey(crm: crm, productGroup: String(fields[1]))
            if customers.last != key { customers.append(key) }
        }
        guard !customers.isEmpty else { throw LoadError("\(path) holds no customers") }
        return customers
    }
}

extension LoadOptions {
    /// The scenario with these overrides.
    func apply(to scenario: Scenario) throws -> Scenario {
        var scenario = scenario
        if let rate = self.rate {
            guard rate > 0 else { throw ValidationError("--rate must be positive") }
            scenario = scenario.at(rate: rate)
        }
        if let duration = self.duration {
            guard duration > 0 else { throw ValidationError("--duration must be positive") }
            scenario.load.duration = .milliseconds(Int64(duration * 1_000))
        }
        if let warmup = self.warmup {
            guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more") }
            scenario.load.warmup = .milliseconds(Int64(warmup * 1_000))
        }
        if let repetitions = self.repetitions {
            guard repetitions > 0 else { throw ValidationError("--repetitions must be 1 or more") }
            scenario.repetitions = repetitions
        }
        if let concurrency = self.concurrency {
            guard concurrency > 0 else { throw ValidationError("--concurrency must be 1 or more") }
            scenario.load.mode = .closed(concurrency: concurrency)
        }
        if let connections = self.connections {
            guard connections > 0 else { throw ValidationError("--connections must be 1 or more") }
            scenario.connections = connections
        }
        return scenario
    }
}
