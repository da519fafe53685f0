import ArgumentParser
import ChurnModel
import ChurnWire
import Foundation

/// Models for ML engineers: import, inspect, score offline.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Import, inspect and score models offline; publish and promote them in the registry.",
        discussion: """
            A model is either a ChurnGuard artifact (made by `model import-lightgbm`, later by \
            `train`) or a LightGBM text model (`booster.save_model`), scored exactly as LightGBM \
            scores it.
            """,
        subcommands: [
            Predict.self, Evaluate.self, ImportLightGBM.self, Show.self, WriteDemo.self, Publish.self, List.self,
            Promote.self, Rollback.self, Clear.self, History.self, Diff.self, CompareShadow.self,
        ]
    )

    /// Options naming a model file.
    struct ModelOptions: ParsableArguments {
        @Option(name: .long, help: "A ChurnGuard artifact or a LightGBM text model.")
        var model: String

        @Option(
            help: """
                Risk-band cut-offs 'medium,high,critical' for a LightGBM text model, which carries \
                none (an artifact has its own).
                """
        )
        var cutoffs = "0.2,0.5,0.8"

        func load() throws -> TrainedModel {
            let url = URL(fileURLWithPath: self.model)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ValidationError("cannot read model file '\(self.model)'")
            }
            if data.starts(with: Array("tree\n".utf8)) || data.starts(with: Array("tree\r\n".utf8)) {
                let parts = self.cutoffs.split(separator: ",").compactMap { Double($0) }
                guard parts.count == 3 else {
                    throw ValidationError("--cutoffs needs three numbers: medium,high,critical")
                }
                let lightGBM = try LightGBMModel(text: String(decoding: data, as: UTF8.self))
                return try TrainedModel(
                    importing: lightGBM,
                    name: url.deletingPathExtension().lastPathComponent,
                    riskBands: try RiskBands(medium: parts[0], high: parts[1], critical: parts[2])
                )
            }
            return try TrainedModel(artifactFile: [UInt8](data))
        }
    }

    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score a CSV file: id, probability, risk band, rule flags and top drivers per row.",
            discussion: """
                The input's header names the model's features (any order; other columns, such as a \
                label, are ignored) and an id column. Empty, NaN and NA cells are missing values. \
                Rules are reported when the input has days_inactive, revenue_change_3m, \
                kag_change_3m and satisfaction columns.

                Example: churnguard model predict --model model.txt --input rows.csv --output scores.csv
                """
        )

        @OptionGroup var modelOptions: ModelOptions

        @Option(help: "The CSV file to score.")
        var input: String

        @Option(help: "Where to write the scores ('-' for standard output).")
        var output = "-"

        @Option(help: "The input's id column.")
        var idColumn = "id"

        @Option(help: "Drivers per row (0 for none: TreeSHAP costs about 2 ms a row on a 200-tree model).")
        var drivers = 3

        func validate() throws {
            guard (0...50).contains(self.drivers) else { throw ValidationError("--drivers must be 0 to 50") }
        }

        func run() throws {
            let model = try self.modelOptions.load()
            guard let data = FileManager.default.contents(atPath: self.input) else {
                throw ValidationError("cannot read input file '\(self.input)'")
            }
            let table = try CSVTable(parsing: String(decoding: data, as: UTF8.self))
            var lines: [String] = []
            lines.reserveCapacity(table.rows.count + 1)
            let start = ContinuousClock.now
            try BatchScoring(model: model, topDrivers: self.drivers).score(
                table,
                idColumn: self.idColumn,
                progress: { done in
                    FileHandle.standardError.write(
                        Data("model predict: \(done) of \(table.rows.count) rows scored\n".utf8)
                    )
                },
                write: { lines.append($0) }
            )
            let text = lines.joined(separator: "\n") + "\n"
            if self.output == "-" {
                FileHandle.standardOutput.write(Data(text.utf8))
            } else {
                try Data(text.utf8).write(to: URL(fileURLWithPath: self.output), options: .atomic)
            }
            let elapsed = ContinuousClock.now - start
            FileHandle.standardError.write(
                Data("model predict: scored \(table.rows.count) rows with '\(model.name)' in \(elapsed)\n".utf8)
            )
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eval",
            abstract: "Evaluate a model on labelled rows: ROC-AUC, PR-AUC, log loss, Brier, F1, lift, calibration.",
            discussion: """
                Every metric is defined as scikit-learn defines it. The input is a CSV like \
                `model predict`'s with a 0/1 label column.

                Example: churnguard model eval --model churn-gbdt.model --input test.csv --label-column churned
                """
        )

        @OptionGroup var modelOptions: ModelOptions

        @Option(help: "The labelled CSV file.")
        var input: String

        @Option(help: "The column holding 1 for churned, 0 for retained.")
        var labelColumn = "label"

        @Option(help: "The probability from which a customer counts as predicted to churn.")
        var threshold = 0.5

        @Option(help: "Rows explained for feature importance (evenly spaced; TreeSHAP is costly). 0 for none.")
        var importanceRows = 2_000

        func validate() throws {
            guard self.importanceRows >= 0 else { throw ValidationError("--importance-rows must be ≥ 0") }
        }

        func run() throws {
            let model = try self.modelOptions.load()
            guard let data = FileManager.default.contents(atPath: self.input) else {
                throw ValidationError("cannot read input file '\(self.input)'")
            }
            let table = try CSVTable(parsing: String(decoding: data, as: UTF8.self))
            let (labels, scores) = try BatchScoring(model: model, topDrivers: 0).probabilities(
                of: table,
                labelColumn: self.labelColumn
            )
            let metrics = try ClassificationMetrics(labels: labels, scores: scores, threshold: self.threshold)
            print("model \(model.name) on \(labels.count) rows (\(labels.reduce(0, +)) churned)")
            print("roc_auc            \(metrics.rocAUC)")
            print("pr_auc             \(metrics.averagePrecision)")
            print("log_loss           \(metrics.logLoss)")
            print("brier              \(metrics.brier)")
            print("precision@\(self.threshold)      \(metrics.precision)")
            print("recall@\(self.threshold)         \(metrics.recall)")
            print("f1@\(self.threshold)             \(metrics.f1)")
            print("best_f1            \(metrics.bestF1) at threshold \(metrics.bestF1Threshold)")
            print("top_decile_lift    \(metrics.topDecileLift)")
            print("calibration (mean predicted → observed, rows):")
            for bin in metrics.calibration {
                print("  \(bin.meanPredicted) → \(bin.observedRate)  (\(bin.count))")
            }
            guard self.importanceRows > 0 else { return }
            let sample = try BatchScoring(model: model, topDrivers: 0).featureRows(
                of: table,
                limit: self.importanceRows
            )
            let importance = try FeatureImportance(model: model, rows: sample)
            print(
                "feature importance (mean |contribution| over \(importance.rows) rows\(importance.gain == nil ? "" : "; gain from training")):"
            )
            for index in importance.ranking {
                let name = model.schema.features[index].name.padding(toLength: 24, withPad: " ", startingAt: 0)
                let gain = importance.gain.map { "  gain \($0[index])" } ?? ""
                print("  \(name) \(importance.meanAbsoluteContribution[index])\(gain)")
            }
        }
    }

    struct ImportLightGBM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-lightgbm",
            abstract: "Turn a LightGBM text model into a verified ChurnGuard artifact.",
            discussion:
                "Example: churnguard model import-lightgbm --model model.txt --name churn-gbdt --output churn-gbdt.model"
        )

        @OptionGroup var modelOptions: ModelOptions

        @Option(help: "The model's name in the registry.")
        var name: String

        @Option(help: "Where to write the artifact.")
        var output: String

        func run() throws {
            let loaded = try self.modelOptions.load()
            let model = try TrainedModel(
                name: self.name,
                schema: loaded.schema,
                scorer: loaded.scorer,
                riskBands: loaded.riskBands,
                createdAtMs: Int64(Date().timeIntervalSince1970 * 1000)
            )
            let bytes = model.artifactFile()
            // Verify what is written before saying it is done.
            _ = try TrainedModel(artifactFile: bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: self.output), options: .atomic)
            print("wrote \(self.output): '\(self.name)', \(model.schema.features.count) features, \(bytes.count) bytes")
        }
    }

    struct WriteDemo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "write-demo",
            abstract:
                "Write the built-in demo model (what `churnguard demo` and `scorer` serve by default) as an artifact.",
            discussion: """
                A fixed logistic regression over the ten derived features with hand-set \
                coefficients, for trying `model show`, `model predict` and `scorer --model` until \
                `churnguard train` makes real ones.
                """
        )

        @Option(help: "The artifact file to write.")
        var output: String

        func run() throws {
            let bytes = TrainedModel.demo().artifactFile()
            try Data(bytes).write(to: URL(fileURLWithPath: self.output), options: .atomic)
            print("wrote \(self.output): the demo model, \(bytes.count) bytes")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a model: kind, features, cut-offs, metrics."
        )

        @OptionGroup var modelOptions: ModelOptions

        func run() throws {
            let model = try self.modelOptions.load()
            print("name: \(model.name)")
            switch model.scorer {
            case .logistic(let logistic):
                print(
                    "kind: logistic regression (\(logistic.numeric.count) numeric, \(logistic.categorical.count) categorical terms)"
                )
            case .trees(let ensemble, let link):
                print(
                    "kind: tree ensemble, \(ensemble.treeCount) trees\(ensemble.averageOutput ? " (averaged)" : ""), output \(link)"
                )
            }
            print("feature schema hash: \(Hex.fixed64(model.schema.hash))")
            print("features:")
            for (index, feature) in model.schema.features.enumerated() {
                switch feature.kind {
                case .numeric: print("  \(index) \(feature.name)")
                case .categorical(let vocabulary):
                    print("  \(index) \(feature.name) (categories: \(vocabulary.joined(separator: ", ")))")
                }
            }
            print(
                "risk bands: medium ≥ \(model.riskBands.medium), high ≥ \(model.riskBands.high), critical ≥ \(model.riskBands.critical)"
            )
            for metric in model.metrics { print("metric \(metric.name): \(metric.value)") }
        }
    }
}
