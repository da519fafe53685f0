/// Scores every row of a CSV table with a model, offline: the `churnguard model predict` engine.
///
/// Input: a header naming the model's features (in any order; other columns, such as a label,
/// are ignored) and an id column. A numeric cell that is empty, `NaN` or `NA` is missing;
/// categorical cells hold category names (native models) or LightGBM's integer codes (imported
/// LightGBM models, whose schema is numeric). Output, one line per row:
/// `id,probability,risk_band,rule_flags,driver_1,contribution_1,…` where rule flags are the
/// fired rules' names joined by `|` (evaluated when the table has the rules' columns:
/// `days_inactive`, `revenue_change_3m`, `kag_change_3m`, `satisfaction`).
public struct BatchScoring: Sendable {
    public let model: TrainedModel
    public let rules: BusinessRules
    /// Drivers per row. Default 3.
    public let topDrivers: Int

    public init(model: TrainedModel, rules: BusinessRules = .defaults, topDrivers: Int = 3) {
        self.model = model
        self.rules = rules
        self.topDrivers = topDrivers
    }

    /// Where each model feature and rule input is in the table.
    struct Layout {
        var id: Int
        var features: [Int]
        var ruleInputs: [Int]?
    }

    /// Checks that `table` has the id column and every feature the model reads.
    ///
    /// - Throws: ``ModelError/Code/invalidInput`` naming every missing column.
    func layout(of table: CSVTable, idColumn: String) throws(ModelError) -> Layout {
        let missing = ([idColumn] + self.model.schema.features.map(\.name)).filter { table.column($0) == nil }
        guard missing.isEmpty else {
            throw ModelError(
                .invalidInput,
                "the input has no column \(missing.map { "'\($0)'" }.joined(separator: ", "))"
            )
        }
        let ruleColumns = ["days_inactive", "revenue_change_3m", "kag_change_3m", "satisfaction"].map {
            table.column($0)
        }
        return Layout(
            id: table.column(idColumn)!,
            features: self.model.schema.features.map { table.column($0.name)! },
            ruleInputs: ruleColumns.allSatisfy { $0 != nil } ? ruleColumns.map { $0! } : nil
        )
    }

    /// The output header.
    public func header(idColumn: String) -> String {
        var columns = [CSVTable.escaped(idColumn), "probability", "risk_band", "rule_flags"]
        for index in 1...max(self.topDrivers, 1) where self.topDrivers > 0 {
            columns += ["driver_\(index)", "contribution_\(index)"]
        }
        return columns.joined(separator: ",")
    }

    /// Scores `table`, calling `write` with each output line (header first) and `progress` every
    /// `progressEvery` rows.
    ///
    /// - Throws: ``ModelError`` naming the line and column of a cell that is not a number.
    public func score(
        _ table: CSVTable,
        idColumn: String = "id",
        progressEvery: Int = 100_000,
        progress: (Int) -> Void = { _ in },
        write: (String) -> Void
    ) throws(ModelError) {
        let layout = try self.layout(of: table, idColumn: idColumn)
        write(self.header(idColumn: idColumn))
        var row = [Double](repeating: 0, count: layout.features.count)
        for (index, cells) in table.rows.enumerated() {
            for (feature, column) in layout.features.enumerated() {
                row[feature] = try self.value(
                    cells[column],
                    feature: feature,
                    line: index + 2,
                    column: table.header[column]
                )
            }
            let probability = try self.model.probability(row)
            var fields = [
                CSVTable.escaped(cells[layout.id]), String(probability),
                String(describing: self.model.riskBands.band(of: probability)),
            ]
            var flags = ""
            if let inputs = layout.ruleInputs {
                let values = inputs.map { Double(cells[$0].trimmingSpaces()) ?? .nan }
                flags = Self.names(
                    of: self.rules.evaluate(
                        daysInactive: values[0],
                        revenueChange: values[1],
                        kagChange: values[2],
                        satisfaction: values[3]
                    )
                )
            }
            fields.append(flags)
            if self.topDrivers > 0 {
                let drivers = Driver.top(self.topDrivers, contributions: try self.model.contributions(row), values: row)
                for slot in 0..<self.topDrivers {
                    if slot < drivers.count {
                        fields += [
                            CSVTable.escaped(self.model.schema.features[drivers[slot].feature].name),
                            String(drivers[slot].contribution),
                        ]
                    } else {
                        fields += ["", ""]
                    }
                }
            }
            write(fields.joined(separator: ","))
            if (index + 1) % progressEvery == 0 { progress(index + 1) }
        }
    }

    /// Up to `limit` of the table's rows as feature vectors in the model's order, evenly spaced
    /// through the table (for feature importance, where explaining every row would cost too much).
    ///
    /// - Throws: ``ModelError/Code/invalidInput`` for a missing feature column or a cell that is
    ///   not a number.
    public func featureRows(of table: CSVTable, limit: Int) throws(ModelError) -> [[Double]] {
        let missing = self.model.schema.features.map(\.name).filter { table.column($0) == nil }
        guard missing.isEmpty else {
            throw ModelError(
                .invalidInput,
                "the input has no column \(missing.map { "'\($0)'" }.joined(separator: ", "))"
            )
        }
        let columns = self.model.schema.features.map { table.column($0.name)! }
        let count = min(max(limit, 0), table.rows.count)
        var rows: [[Double]] = []
        rows.reserveCapacity(count)
        for step in 0..<count {
            let index = step * table.rows.count / count
            var row: [Double] = []
            row.reserveCapacity(columns.count)
            for (feature, column) in columns.enumerated() {
                row.append(
                    try self.value(
                        table.rows[index][column],
                        feature: feature,
                        line: index + 2,
                        column: table.header[column]
                    )
                )
            }
            rows.append(row)
        }
        return rows
    }

    /// The model's probability for every row of `table`, with the 0/1 label from `labelColumn`:
    /// the input of ``ClassificationMetrics``.
    ///
    /// - Throws: ``ModelError/Code/invalidInput`` for a missing column, a cell that is not a
    ///   number, or a label other than 0 or 1 (naming its line).
    public func probabilities(
        of table: CSVTable,
        labelColumn: String
    ) throws(ModelError) -> (labels: [Int], scores: [Double]) {
        guard let labelIndex = table.column(labelColumn) else {
            throw ModelError(.invalidInput, "the input has no label column '\(labelColumn)'")
        }
        let layout = try self.layout(of: table, idColumn: labelColumn)
        var labels: [Int] = []
        var scores: [Double] = []
        var row = [Double](repeating: 0, count: layout.features.count)
        for (index, cells) in table.rows.enumerated() {
            guard let label = Int(cells[labelIndex].trimmingSpaces()), label == 0 || label == 1 else {
                throw ModelError(
                    .invalidInput,
                    "line \(index + 2): label '\(cells[labelIndex].prefix(20))' is not 0 or 1"
                )
            }
            for (feature, column) in layout.features.enumerated() {
                row[feature] = try self.value(
                    cells[column],
                    feature: feature,
                    line: index + 2,
                    column: table.header[column]
                )
            }
            labels.append(label)
            scores.append(try self.model.probability(row))
        }
        return (labels, scores)
    }

    func value(_ cell: String, feature: Int, line: Int, column: String) throws(ModelError) -> Double {
        let text = cell.trimmingSpaces()
        if case .categorical = self.model.schema.features[feature].kind {
            return text.isEmpty ? .nan : self.model.schema.code(of: text, feature: feature)
        }
        if text.isEmpty || text == "NaN" || text == "nan" || text == "NA" { return .nan }
        guard let value = Double(text) else {
            throw ModelError(.invalidInput, "line \(line), column '\(column)': '\(text.prefix(40))' is not a number")
        }
        return value
    }

    static func names(of flags: BusinessRules.Flags) -> String {
        var names: [String] = []
        if flags.contains(.inactive) { names.append("inactive") }
        if flags.contains(.revenueDecrease) { names.append("revenue_decrease") }
        if flags.contains(.transactionDecrease) { names.append("transaction_decrease") }
        if flags.contains(.lowSatisfaction) { names.append("low_satisfaction") }
        return names.joined(separator: "|")
    }
}

extension RiskBand: CustomStringConvertible {
    public var description: String {
        switch self {
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }
}
