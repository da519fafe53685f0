import ArgumentParser
import ChurnModel
import ChurnRegistry
import ChurnWire
import Foundation

// `churnguard model publish | list | promote | rollback | clear | history | diff`: the ML
// engineer's side of the registry.
extension ModelCommand {
    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish an artifact as the next version of its model in the registry.",
            discussion: """
                The artifact is verified first (checksum, schema, parameters); the registry records \
                golden inputs it scores, which every scorer checks before serving the version.

                Example: churnguard model publish --artifact churn-gbdt.model --notes "weekly retrain"
                """
        )

        @Option(help: "The artifact file (from `churnguard train` or `model import-lightgbm`).")
        var artifact: String

        @Option(help: "A note kept with the version.")
        var notes = ""

        @Option(help: "Who publishes, for the audit log (default: $USER).")
        var actor: String?

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: self.artifact) else {
                throw ValidationError("cannot read '\(self.artifact)'")
            }
            let (url, actor, notes) = (try self.database.url(), RegistrySession.actor(self.actor), self.notes)
            let record = try await RegistrySession.with(url) { registry in
                try await registry.publish(artifactFile: [UInt8](data), actor: actor, notes: notes)
            }
            print(
                "published \(record.name) version \(record.version) (\(record.format), \(record.artifactBytes) bytes, sha256 \(record.sha256.prefix(16))…, schema \(Hex.fixed64(record.schemaHash)))"
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the registry's models and versions with their aliases.",
            discussion: "Example: churnguard model list churn-gbdt"
        )

        @Argument(help: "A model name (default: every model).")
        var name: String?

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (url, name) = (try self.database.url(), self.name)
            let (versions, aliases) = try await RegistrySession.with(url) { registry in
                (try await registry.versions(name: name), try await registry.aliases(name: name))
            }
            guard !versions.isEmpty else {
                print(
                    name.map { "no versions of \($0)" }
                        ?? "the registry is empty: `churnguard model publish` adds a version"
                )
                return
            }
            print("name                 version  format    created               by          aliases")
            for version in versions {
                let tags = aliases.filter { $0.name == version.name && $0.version == version.version }.map {
                    $0.alias == .canary ? "canary \($0.trafficBasisPoints)bp" : $0.alias.rawValue
                }
                print(
                    "\(Self.pad(version.name, 20)) \(Self.pad(String(version.version), 8)) \(Self.pad(version.format, 9)) \(Self.pad(version.createdAt, 21)) \(Self.pad(version.createdBy, 11)) \(tags.joined(separator: ", "))"
                )
            }
        }

        static func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point production (or a canary share, or the shadow) at a version.",
            discussion: """
                Scorers pick the change up within a second (LISTEN/NOTIFY, with a periodic poll as \
                the fallback) and swap with no restart. A version whose feature schema is not \
                production's (or --schema-hash) is refused and the refusal is audited. Promoting the \
                canary's version to production ends the canary.

                Examples:
                  churnguard model promote churn-gbdt 4 --canary 500bp
                  churnguard model promote churn-gbdt 4
                  churnguard model promote churn-gbdt 5 --shadow
                """
        )

        @Argument(help: "The model's name.")
        var name: String

        @Argument(help: "The version.")
        var version: Int

        @Option(help: "Send this share of CRM numbers to the version: 500bp, 5% or 500 (basis points).")
        var canary: String?

        @Flag(help: "Score beside production without answering with it (for `model compare-shadow`).")
        var shadow = false

        @Option(help: "The cluster's feature schema hash (16 hex digits); default: production's.")
        var schemaHash: String?

        @Option(help: "Who promotes, for the audit log (default: $USER).")
        var actor: String?

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard !(self.canary != nil && self.shadow) else {
                throw ValidationError("choose --canary or --shadow, not both")
            }
            if let canary { _ = try Self.basisPoints(canary) }
            if let schemaHash, UInt64(schemaHash, radix: 16) == nil {
                throw ValidationError("--schema-hash must be hexadecimal, like d4607d2fe7eddb69")
            }
        }

        static func basisPoints(_ text: String) throws -> Int {
            let value: Double?
            if text.hasSuffix("bp") {
                value = Double(text.dropLast(2))
            } else if text.hasSuffix("%") {
                value = Double(text.dropLast()).map { $0 * 100 }
            } else {
                value = Double(text)
            }
            guard let value, value >= 1, value <= 10_000, value == value.rounded() else {
                throw ValidationError("--canary must be 1bp to 10000bp (or 0.01% to 100%), got '\(text)'")
            }
            return Int(value)
        }

        func run() async throws {
            let alias: AliasKind = self.shadow ? .shadow : (self.canary != nil ? .canary : .production)
            let share = try self.canary.map(Self.basisPoints) ?? 10_000
            let expected = self.schemaHash.flatMap { UInt64($0, radix: 16) }
            let (url, actor, name, version) = (
                try self.database.url(), RegistrySession.actor(self.actor), self.name, self.version
            )
            let record = try await RegistrySession.with(url) { registry in
                try await registry.promote(
                    name: name,
                    version: version,
                    to: alias,
                    trafficBasisPoints: share,
                    expectedSchemaHash: expected,
                    actor: actor
                )
            }
            let what = alias == .canary ? "canary (\(record.trafficBasisPoints) bp of customers)" : alias.rawValue
            print("\(name) version \(version) is now \(what)")
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point production back at the version it had before its last change.",
            discussion: "Example: churnguard model rollback churn-gbdt"
        )

        @Argument(help: "The model's name.")
        var name: String

        @Option(help: "Who rolls back, for the audit log (default: $USER).")
        var actor: String?

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (url, actor, name) = (try self.database.url(), RegistrySession.actor(self.actor), self.name)
            let record = try await RegistrySession.with(url) { registry in
                try await registry.rollback(name: name, actor: actor)
            }
            print("\(name): production is version \(record.version) again")
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End a model's canary or shadow.",
            discussion: "Example: churnguard model clear churn-gbdt --canary"
        )

        @Argument(help: "The model's name.")
        var name: String

        @Flag(help: "End the canary.")
        var canary = false

        @Flag(help: "End the shadow.")
        var shadow = false

        @Option(help: "Who acts, for the audit log (default: $USER).")
        var actor: String?

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard self.canary != self.shadow else { throw ValidationError("choose one of --canary and --shadow") }
        }

        func run() async throws {
            let alias: AliasKind = self.canary ? .canary : .shadow
            let (url, actor, name) = (try self.database.url(), RegistrySession.actor(self.actor), self.name)
            try await RegistrySession.with(url) { registry in
                try await registry.clear(name: name, alias: alias, actor: actor)
            }
            print("\(name): no \(alias.rawValue) any more")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a model's audit log: who published, promoted, rolled back or was refused, when.",
            discussion: "Example: churnguard model history churn-gbdt"
        )

        @Argument(help: "The model's name.")
        var name: String

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (url, name) = (try self.database.url(), self.name)
            let records = try await RegistrySession.with(url) { registry in try await registry.history(name: name) }
            guard !records.isEmpty else {
                print("no history for \(name)")
                return
            }
            for record in records {
                let versions =
                    switch (record.fromVersion, record.toVersion) {
                    case (let from?, let to?): "\(from) → \(to)"
                    case (nil, let to?): "→ \(to)"
                    case (let from?, nil): "\(from) →"
                    case (nil, nil): ""
                    }
                let alias = record.alias.map { " \($0)" } ?? ""
                let detail = record.detail.isEmpty ? "" : "  (\(record.detail))"
                print("\(record.at)  \(record.actor)  \(record.action)\(alias) \(versions)\(detail)")
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two versions' metrics side by side.",
            discussion: "Example: churnguard model diff churn-gbdt 3 4"
        )

        @Argument(help: "The model's name.")
        var name: String

        @Argument(help: "The first version.")
        var a: Int

        @Argument(help: "The second version.")
        var b: Int

        @Flag(help: "Include the per-feature importances.")
        var importances = false

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (url, name, a, b) = (try self.database.url(), self.name, self.a, self.b)
            let rows = try await RegistrySession.with(url) { registry in try await registry.diff(name: name, a, b) }
            print("metric                                      version \(a)        version \(b)        change")
            for row in rows where self.importances || !row.metric.hasPrefix("importance_") {
                let left = row.a.map { String(format: "%.6f", $0) } ?? "—"
                let right = row.b.map { String(format: "%.6f", $0) } ?? "—"
                let change = (row.a != nil && row.b != nil) ? String(format: "%+.6f", row.b! - row.a!) : ""
                print("\(List.pad(row.metric, 43)) \(List.pad(left, 16)) \(List.pad(right, 16)) \(change)")
            }
        }
    }
}

extension ModelCommand {
    struct CompareShadow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare-shadow",
            abstract: "Compare a shadow version's scores with production's on the same calls.",
            discussion: """
                Scorers following the registry score every unary call with the shadow too (the \
                caller gets production's answer) and record both. Example: \
                churnguard model promote churn-gbdt 5 --shadow, let traffic flow, then \
                churnguard model compare-shadow churn-gbdt
                """
        )

        @Argument(help: "The model's name.")
        var name: String

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (url, name) = (try self.database.url(), self.name)
            let rows = try await RegistrySession.with(url) { registry in try await registry.shadowComparison(name: name)
            }
            guard !rows.isEmpty else {
                print("no shadow results for \(name): promote a version with --shadow and let scorers serve calls")
                return
            }
            for row in rows {
                print(
                    "shadow v\(row.shadowVersion) beside production v\(row.productionVersion): \(row.calls) calls, \(row.first) to \(row.last)"
                )
                print(
                    "  mean probability      production \(Self.f(row.meanProduction))   shadow \(Self.f(row.meanShadow))"
                )
                print(
                    "  |shadow − production|  mean \(Self.f(row.meanAbsoluteDifference))   max \(Self.f(row.maxAbsoluteDifference))"
                )
                print("  correlation           \(Self.f(row.correlation))")
                print("  same side of 0.5      \(String(format: "%.2f", row.agreement * 100)) % of calls")
            }
        }

        static func f(_ value: Double) -> String { value.isFinite ? String(format: "%.6f", value) : "n/a" }
    }
}
