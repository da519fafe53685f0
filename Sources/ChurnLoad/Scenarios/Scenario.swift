internal import ChurnScorer
internal import Foundation

/// A load scenario as written in `bench/scenarios/*.toml`: what is called, how hard, for how
/// long, and against what (a scorer the harness starts, or a given address).
///
/// ```toml
/// description = "Unary Score calls, one customer each"
/// kind = "unary"
/// [load]
/// mode = "open"
/// rate = 5000
/// ```
public struct Scenario: Sendable, Hashable {
    /// What each call does.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Unary `Score`, one customer per call.
        case unary
        /// Streamed `ScoreBatch`: frames of rows on one stream per call.
        case batch
        /// Unary `Ingest`: `ingest.events_per_call` purchases per call, answered once committed;
        /// needs `[customers]`.
        case ingest
    }

    /// The file's name without `.toml`.
    public var name: String
    /// One line saying what the scenario shows.
    public var description: String
    public var kind: Kind
    /// Explanations asked for per unary call (0: none). Default 0.
    public var topDrivers: Int
    /// Batch calls: rows per frame and frames per call. Defaults 1,000 and 1.
    public var rowsPerFrame: Int
    public var framesPerCall: Int
    /// Ingest calls: events per call. Default 10.
    public var eventsPerCall: Int
    /// How calls are paced and for how long.
    public var load: LoadRunConfiguration
    /// Connections to the target. Default 2.
    public var connections: Int
    /// Each call's deadline. Default 5 s.
    public var timeout: Duration
    /// Runs of the whole scenario; reports give the median and the spread. Default 3.
    public var repetitions: Int
    /// A running target (`host:port`) instead of a scorer the harness starts; nil starts one.
    public var address: String?
    /// With `address`: the folder of its development certificates (`ca.pem`).
    public var tlsDirectory: String?
    /// Unary calls by CRM number alone: the harness stores this many companies of the seeded demo
    /// customer base in a private PostgreSQL, starts scorers that hold their histories, and calls
    /// for those customers without features. nil (the default): calls send features.
    public var customerCompanies: Int?

    /// Reads a scenario file.
    ///
    /// - Throws: ``LoadError`` naming the file, line and key at fault.
    public init(contentsOf path: String) throws(LoadError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LoadError("cannot read scenario \(path): \(error.localizedDescription)")
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        try self.init(parsing: text, name: name, source: path)
    }

    /// Parses scenario text; `source` names it in messages.
    ///
    /// - Throws: ``LoadError`` naming the line and key at fault.
    public init(parsing text: String, name: String, source: String) throws(LoadError) {
        do {
            var reader = TOMLReader(table: try TOMLTable(parsing: text, source: source), source: source)
            self.name = name
            self.description = try reader.string("description") ?? name
            let kindName = try reader.string("kind") ?? "unary"
            guard let kind = Kind(rawValue: kindName) else {
                throw LoadError(
                    "\(source): kind is '\(kindName)'; it must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            self.kind = kind
            self.topDrivers = try reader.integer("top_drivers", in: 0...32) ?? 0
            self.rowsPerFrame = try reader.integer("batch.rows_per_frame", in: 1...100_000) ?? 1_000
            self.framesPerCall = try reader.integer("batch.frames_per_call", in: 1...10_000) ?? 1
            self.eventsPerCall = try reader.integer("ingest.events_per_call", in: 1...10_000) ?? 10

            let modeName = try reader.string("load.mode") ?? "open"
            let mode: LoadRunConfiguration.Mode
            switch modeName {
            case "open":
                let rate = try reader.number("load.rate", in: 0.001...10_000_000) ?? 1_000
                let arrivals = try reader.string("load.arrivals") ?? "poisson"
                let seed = UInt64(try reader.integer("load.seed", in: 0...Int.max) ?? 42)
                switch arrivals {
                case "poisson": mode = .open(ArrivalSchedule(rate: rate, process: .poisson(seed: seed)))
                case "constant": mode = .open(ArrivalSchedule(rate: rate, process: .constant))
                default: throw LoadError("\(source): load.arrivals is '\(arrivals)'; it must be poisson or constant")
                }
            case "closed":
                mode = .closed(concurrency: try reader.integer("load.concurrency", in: 1...100_000) ?? 64)
            default:
                throw LoadError("\(source): load.mode is '\(modeName)'; it must be open or closed")
            }
            self.load = LoadRunConfiguration(
                mode: mode,
                duration: .milliseconds(Int64((try reader.number("load.duration_s", in: 0.1...86_400) ?? 10) * 1_000)),
                warmup: .milliseconds(Int64((try reader.number("load.warmup_s", in: 0...3_600) ?? 2) * 1_000)),
                maxInFlight: try reader.integer("load.max_in_flight", in: 1...1_000_000) ?? 10_000,
                maxCalls: try reader.integer("load.max_calls", in: 1...Int.max)
            )
            self.connections = try reader.integer("load.connections", in: 1...1_024) ?? 2
            self.timeout = .milliseconds(try reader.integer("load.timeout_ms", in: 1...600_000) ?? 5_000)
            self.repetitions = try reader.integer("load.repetitions", in: 1...100) ?? 3
            self.address = try reader.string("target.address")
            if let address = self.address {
                do {
                    _ = try LocalAddress(parsing: address)
                } catch {
                    let line = reader.entry("target.address")?.line ?? 0
                    throw LoadError("\(source):\(line): target.address: \(error.message)")
                }
            }
            self.tlsDirectory = try reader.string("target.tls_dir")
            self.customerCompanies = try reader.integer("customers.companies", in: 1...1_000_000)
            if self.customerCompanies != nil, kind == .batch {
                throw LoadError("\(source): [customers] runs with kind = \"unary\" or \"ingest\" only")
            }
            if self.customerCompanies == nil, kind == .ingest {
                throw LoadError(
                    "\(source): kind = \"ingest\" needs [customers] companies = N: the customers it records events of"
                )
            }
            if self.customerCompanies != nil, self.address != nil {
                throw LoadError(
                    "\(source): [customers] needs scorers started here, which hold the histories: leave out target.address"
                )
            }
            try reader.refuseUnread()
        } catch let error as ConfigurationError {
            throw LoadError(error.message)
        } catch let error as LoadError {
            throw error
        } catch {
            throw LoadError("\(source): \(error)")
        }
    }

    /// The open-loop rate, or nil for a closed loop.
    public var rate: Double? {
        if case .open(let schedule) = self.load.mode { return schedule.rate }
        return nil
    }

    /// The scenario at another open-loop rate (same arrival process).
    public func at(rate: Double) -> Scenario {
        var copy = self
        switch self.load.mode {
        case .open(let schedule):
            copy.load.mode = .open(ArrivalSchedule(rate: rate, process: schedule.process))
        case .closed:
            copy.load.mode = .open(ArrivalSchedule(rate: rate, process: .poisson(seed: 42)))
        }
        return copy
    }
}
