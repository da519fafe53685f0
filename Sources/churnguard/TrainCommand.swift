import ArgumentParser
import ChurnDatasets
import ChurnModel
import ChurnRegistry
import ChurnTraining
import Foundation

/// `churnguard train`: fits a model on labelled rows, split out of time.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a churn model (logistic regression or gradient-boosted trees) on labelled rows.",
        discussion: """
            The input is CSV with the feature columns, a 0/1 label and a period (YYYY-MM) per row, as \
            `churnguard demo-data` and `churnguard transactions` write it. Rows are split by period, \
            never at random: the last --test-periods are the test; training and validation use only \
            periods whose --horizon-months label window closes before the test begins (the periods \
            in between are dropped); the last --validation-periods of those validate (early \
            stopping, the F1 threshold and the risk-band cut-offs). The artifact carries the test \
            metrics and feature importances; `model show` prints them.

            Examples:
              churnguard train --input rows.csv --kind gbdt --output churn-gbdt.model
              churnguard train --input rows.csv --kind logistic --c 0.5 --output churn-lr.model
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case logistic, gbdt
    }

    @Option(help: "The labelled rows (CSV).")
    var input: String?

    @Flag(
        help:
            "Train on the customer histories in the registry's database (customer_months) instead of --input, labelled as demo-data labels them."
    )
    var fromDatabase = false

    @Option(help: "logistic (L2 on standardized features) or gbdt (histogram, leaf-wise boosting).")
    var kind: Kind = .gbdt

    @Option(help: "Where to write the model artifact.")
    var output: String

    @Option(help: "The model's name (default: churn-<kind>).")
    var name: String?

    @Option(help: "Feature columns, comma-separated (default: the ten derived features).")
    var features: String?

    @Option(help: "The 0/1 label column.")
    var labelColumn = "churned"

    @Option(help: "The period column (YYYY-MM or a month index).")
    var periodColumn = "period"

    @Option(help: "The id column, for --scores-output.")
    var idColumn = "id"

    @Option(help: "Latest periods tested on.")
    var testPeriods = 2

    @Option(help: "Latest trainable periods used for validation.")
    var validationPeriods = 1

    @Option(help: "Months a label looks ahead (the gap between training and test).")
    var horizonMonths = 3

    @Option(help: "Logistic regression: inverse L2 strength (scikit-learn's C).")
    var c = 1.0

    @Option(help: "Boosting: trees at most.")
    var numIterations = 500

    @Option(help: "Boosting: learning rate.")
    var learningRate = 0.1

    @Option(help: "Boosting: leaves per tree at most.")
    var numLeaves = 31

    @Option(help: "Boosting: training rows per leaf at least.")
    var minDataInLeaf = 20

    @Option(help: "Boosting: L2 penalty on leaf values.")
    var lambdaL2 = 0.0

    @Option(help: "Boosting: histogram bins per feature (2-255).")
    var maxBin = 255

    @Option(help: "Boosting: stop after this many trees without a better validation log loss (0: never).")
    var earlyStoppingRounds = 20

    @Option(help: "Also write id,part,label,probability for the validation and test rows here.")
    var scoresOutput: String?

    @Option(help: "Also write the split, the test metrics and the feature importances here as JSON.")
    var metricsJSON: String?

    @Flag(
        help:
            "Also publish the artifact to the registry as the model's next version (--database-url or $CHURNGUARD_DATABASE_URL)."
    )
    var publish = false

    @Option(help: "With --publish: a note kept with the version.")
    var notes = ""

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (self.input != nil) != self.fromDatabase else {
            throw ValidationError("give --input FILE or --from-database")
        }
        if self.publish || self.fromDatabase { _ = try self.database.url() }
        if self.fromDatabase, self.features != nil {
            throw ValidationError("--from-database trains on the ten derived features; leave --features out")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let set: TrainingSet
        var table: CSVTable?
        if let input = self.input {
            guard let data = FileManager.default.contents(atPath: input) else {
                throw ValidationError("cannot read '\(input)'")
            }
            let parsed = try CSVTable(parsing: String(decoding: data, as: UTF8.self))
            set = try TrainingSet(
                table: parsed,
                features: self.features.map { $0.split(separator: ",").map { String($0) } }
                    ?? FeatureDerivation.schema.features.map(\.name),
                labelColumn: self.labelColumn,
                periodColumn: self.periodColumn
            )
            table = parsed
        } else {
            let url = try self.database.url()
            let (timelines, first, last) = try await HistoryDatabase.load(url: url)
            Terminal.progress("train: read the histories of \(timelines.count) customers from \(url)")
            let (columns, labels, periods) = try ChurnSnapshots().columns(
                of: timelines,
                dataStartDay: first,
                dataEndDay: last
            )
            set = try TrainingSet(schema: FeatureDerivation.schema, columns: columns, labels: labels, periods: periods)
        }
        let featureNames = set.schema.features.map(\.name)
        Terminal.progress(
            "train: read \(set.rowCount) rows, \(featureNames.count) features, \(Int(set.labels.reduce(0, +))) churned, in \(Terminal.seconds(ContinuousClock.now - started))"
        )
        let kind: ModelTraining.Kind =
            switch self.kind {
            case .logistic: .logistic(.init(c: self.c))
            case .gbdt:
                .gradientBoosting(
                    .init(
                        numIterations: self.numIterations,
                        learningRate: self.learningRate,
                        numLeaves: self.numLeaves,
                        minDataInLeaf: self.minDataInLeaf,
                        lambdaL2: self.lambdaL2,
                        maxBin: self.maxBin,
                        earlyStoppingRounds: self.earlyStoppingRounds
                    )
                )
            }
        let training = ModelTraining(
            kind: kind,
            split: .init(
                testPeriods: self.testPeriods,
                validationPeriods: self.validationPeriods,
                horizonMonths: self.horizonMonths
            )
        )
        let fitStarted = ContinuousClock.now
        let report = try training.train(
            set,
            name: self.name ?? "churn-\(self.kind.rawValue)",
            createdAtMs: Int64(Date().timeIntervalSince1970 * 1000),
            progress: { Terminal.progress("train: \($0)") }
        )
        let fitTime = ContinuousClock.now - fitStarted
        let bytes = report.model.artifactFile()
        _ = try TrainedModel(artifactFile: bytes)  // verify before writing
        try Data(bytes).write(to: URL(fileURLWithPath: self.output), options: .atomic)

        if let path = self.scoresOutput {
            try self.writeScores(report: report, set: set, table: table, path: path)
        }
        if let path = self.metricsJSON {
            try self.writeMetrics(report: report, set: set, seconds: fitTime, path: path)
        }

        let test = report.test
        print(
            "trained \(report.model.name) (\(self.kind.rawValue)) in \(Terminal.seconds(fitTime))\(report.trees.map { ", \($0) trees" } ?? "")"
        )
        print(
            "test periods \(report.split.testPeriods.map(TrainingSet.periodText).joined(separator: ", ")): \(report.split.test.count) rows"
        )
        print("  roc_auc          \(Self.format(test.rocAUC))")
        print("  pr_auc           \(Self.format(test.averagePrecision))")
        print("  log_loss         \(Self.format(test.logLoss))")
        print("  brier            \(Self.format(test.brier))")
        print("  threshold        \(Self.format(report.threshold)) (best F1 on validation)")
        print("  precision        \(Self.format(test.precision))")
        print("  recall           \(Self.format(test.recall))")
        print("  f1               \(Self.format(test.f1))")
        print("  top_decile_lift  \(Self.format(test.topDecileLift))")
        let bands = report.model.riskBands
        print(
            "risk bands: medium ≥ \(Self.format(bands.medium)), high ≥ \(Self.format(bands.high)), critical ≥ \(Self.format(bands.critical))"
        )
        print(
            "feature importance (gain\(self.kind == .logistic ? " = |coefficient|" : ""), mean |contribution| on test rows):"
        )
        let order = set.schema.features.indices.sorted {
            report.meanAbsoluteContribution[$0] > report.meanAbsoluteContribution[$1]
        }
        for index in order {
            let name = set.schema.features[index].name.padding(toLength: 22, withPad: " ", startingAt: 0)
            print(
                "  \(name) \(Self.format(report.gainImportance[index]).padding(toLength: 14, withPad: " ", startingAt: 0)) \(Self.format(report.meanAbsoluteContribution[index]))"
            )
        }
        print("wrote \(self.output): \(bytes.count) bytes")
        if self.publish {
            let (url, notes) = (try self.database.url(), self.notes)
            let record = try await RegistrySession.with(url) { registry in
                try await registry.publish(artifactFile: bytes, actor: RegistrySession.actor(nil), notes: notes)
            }
            print(
                "published \(record.name) version \(record.version) (sha256 \(record.sha256.prefix(16))…); promote it with `churnguard model promote \(record.name) \(record.version)`"
            )
        }
    }

    func writeScores(report: ModelTraining.Report, set: TrainingSet, table: CSVTable?, path: String) throws {
        let idIndex = table?.column(self.idColumn)
        let writer = try LineWriter(path: path)
        try writer.write("id,part,label,probability")
        var row = [Double](repeating: 0, count: set.schema.features.count)
        for (part, indices) in [("validation", report.split.validation), ("test", report.split.test)] {
            for index in indices {
                set.copyRow(index, into: &row)
                let probability = try report.model.probability(row)
                let id =
                    idIndex.flatMap { column in table.map { CSVTable.escaped($0.rows[index][column]) } }
                    ?? String(index)
                try writer.write("\(id),\(part),\(Int(set.labels[index])),\(probability)")
            }
        }
        try writer.close()
    }

    /// The report as JSON: `{kind, name, seconds, trees, split: {training, validation, test:
    /// {periods, rows}}, test: {roc_auc, …}, threshold, importance: [{feature, gain,
    /// mean_abs_contribution}]}` (importance sorted by mean |contribution|).
    func writeMetrics(report: ModelTraining.Report, set: TrainingSet, seconds: Duration, path: String) throws {
        func part(_ periods: [Int], _ rows: [Int]) -> [String: Any] {
            ["periods": periods.map(TrainingSet.periodText), "rows": rows.count]
        }
        let test = report.test
        let order = set.schema.features.indices.sorted {
            report.meanAbsoluteContribution[$0] > report.meanAbsoluteContribution[$1]
        }
        let (whole, fraction) = seconds.components
        let object: [String: Any] = [
            "kind": self.kind.rawValue,
            "name": report.model.name,
            "seconds": Double(whole) + Double(fraction) / 1e18,
            "trees": report.trees ?? 0,
            "split": [
                "training": part(report.split.trainingPeriods, report.split.training),
                "validation": part(report.split.validationPeriods, report.split.validation),
                "gap": part(report.split.gapPeriods, []),
                "test": part(report.split.testPeriods, report.split.test),
            ],
            "test": [
                "roc_auc": test.rocAUC, "pr_auc": test.averagePrecision, "log_loss": test.logLoss, "brier": test.brier,
                "precision": test.precision, "recall": test.recall, "f1": test.f1,
                "top_decile_lift": test.topDecileLift,
                "churn_rate": report.split.test.isEmpty
                    ? 0 : report.split.test.reduce(0.0) { $0 + set.labels[$1] } / Double(report.split.test.count),
            ],
            "threshold": report.threshold,
            "importance": order.map {
                [
                    "feature": set.schema.features[$0].name, "gain": report.gainImportance[$0],
                    "mean_abs_contribution": report.meanAbsoluteContribution[$0],
                ] as [String: Any]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        return String(format: "%.6f", value)
    }
}
