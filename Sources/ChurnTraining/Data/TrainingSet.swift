public import ChurnModel

/// Labelled rows to train on, stored by column: each feature's values, each row's 0/1 label and
/// the period (a month index, `year * 12 + month - 1`) the row was observed in, which the
/// out-of-time split orders by.
///
/// Categorical features hold vocabulary codes (0, 1, …) as ``FeatureSchema`` encodes them, and
/// NaN for missing or unknown.
///
/// ```swift
/// let set = try TrainingSet(table: CSVTable(parsing: text), labelColumn: "churned", periodColumn: "period")
/// let split = try OutOfTimeSplit(periods: set.periods, configuration: .defaults)
/// ```
public struct TrainingSet: Sendable {
    public let schema: FeatureSchema
    /// `columns[feature][row]`.
    public let columns: [[Double]]
    /// 0 (retained) or 1 (churned) per row.
    public let labels: [Double]
    /// The month index each row was observed in.
    public let periods: [Int]

    /// The number of rows.
    public var rowCount: Int { self.labels.count }

    /// Makes a set from columns.
    ///
    /// - Throws: ``TrainingError/Code/invalidData`` when the columns, labels and periods differ in
    ///   length, the schema does not match the columns, or a label is not 0 or 1.
    public init(schema: FeatureSchema, columns: [[Double]], labels: [Double], periods: [Int]) throws(TrainingError) {
        guard columns.count == schema.features.count else {
            throw TrainingError(
                .invalidData,
                "\(columns.count) columns for a schema of \(schema.features.count) features"
            )
        }
        guard periods.count == labels.count, columns.allSatisfy({ $0.count == labels.count }) else {
            throw TrainingError(.invalidData, "the columns, labels and periods differ in length")
        }
        guard labels.allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw TrainingError(.invalidData, "labels must be 0 or 1")
        }
        self.schema = schema
        self.columns = columns
        self.labels = labels
        self.periods = periods
    }

    /// Reads a CSV table: one column per feature, a 0/1 label column and a period column
    /// (`YYYY-MM`, or a month index).
    ///
    /// A feature column whose non-empty cells are all numbers is numeric (empty, `NaN` and `NA`
    /// are missing); any other is categorical, with its distinct values in sorted order as the
    /// vocabulary.
    ///
    /// - Parameters:
    ///   - features: the feature columns in the order the model will read them.
    /// - Throws: ``TrainingError/Code/invalidData`` naming a missing column, or the line and column
    ///   of a label that is not 0 or 1 or a period that cannot be read.
    public init(table: CSVTable, features: [String], labelColumn: String, periodColumn: String) throws(TrainingError) {
        let wanted = features + [labelColumn, periodColumn]
        let missing = wanted.filter { table.column($0) == nil }
        guard missing.isEmpty else {
            throw TrainingError(
                .invalidData,
                "the input has no column \(missing.map { "'\($0)'" }.joined(separator: ", "))"
            )
        }
        guard Set(features).count == features.count, !features.contains(labelColumn),
            !features.contains(periodColumn)
        else {
            throw TrainingError(.invalidData, "a feature is named twice, or is the label or period column")
        }
        guard !table.rows.isEmpty else { throw TrainingError(.notEnoughData, "the input has no rows") }

        var schemaFeatures: [FeatureSchema.Feature] = []
        var columns: [[Double]] = []
        for name in features {
            let index = table.column(name)!
            var numbers: [Double] = []
            numbers.reserveCapacity(table.rows.count)
            var isNumeric = true
            for row in table.rows {
                let cell = Self.trimmed(row[index])
                if Self.isMissing(cell) {
                    numbers.append(.nan)
                } else if let value = Double(cell) {
                    numbers.append(value)
                } else {
                    isNumeric = false
                    break
                }
            }
            if isNumeric {
                schemaFeatures.append(.numeric(name))
                columns.append(numbers)
                continue
            }
            let cells = table.rows.map { Self.trimmed($0[index]) }
            let vocabulary = Set(cells.filter { !$0.isEmpty }).sorted()
            let codes = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Double($0)) })
            schemaFeatures.append(.categorical(name, vocabulary: vocabulary))
            columns.append(cells.map { codes[$0] ?? .nan })
        }
        let schema: FeatureSchema
        do {
            schema = try FeatureSchema(schemaFeatures)
        } catch {
            throw TrainingError(.invalidData, "the features do not make a schema: \(error.message)")
        }

        let labelIndex = table.column(labelColumn)!
        let periodIndex = table.column(periodColumn)!
        var labels: [Double] = []
        var periods: [Int] = []
        labels.reserveCapacity(table.rows.count)
        periods.reserveCapacity(table.rows.count)
        for (offset, row) in table.rows.enumerated() {
            let line = offset + 2
            switch Self.trimmed(row[labelIndex]) {
            case "0", "0.0", "false": labels.append(0)
            case "1", "1.0", "true": labels.append(1)
            case let other:
                throw TrainingError(
                    .invalidData,
                    "line \(line), column '\(labelColumn)': '\(other.prefix(20))' is not a 0/1 label"
                )
            }
            guard let period = Self.period(Self.trimmed(row[periodIndex])) else {
                throw TrainingError(
                    .invalidData,
                    "line \(line), column '\(periodColumn)': '\(row[periodIndex].prefix(20))' is not YYYY-MM or a month index"
                )
            }
            periods.append(period)
        }
        try self.init(schema: schema, columns: columns, labels: labels, periods: periods)
    }

    /// The rows at `indices`, in that order.
    public func rows(_ indices: [Int]) -> TrainingSet {
        // Same schema and lengths by construction.
        try! TrainingSet(
            schema: self.schema,
            columns: self.columns.map { column in indices.map { column[$0] } },
            labels: indices.map { self.labels[$0] },
            periods: indices.map { self.periods[$0] }
        )
    }

    /// Row `index`'s features in schema order, written into `buffer` (which must be long enough).
    public func copyRow(_ index: Int, into buffer: inout [Double]) {
        for feature in self.columns.indices { buffer[feature] = self.columns[feature][index] }
    }

    /// `YYYY-MM` as a month index, or a plain integer month index.
    static func period(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]),
            let month = Int(parts[1]), (1...12).contains(month)
        {
            return MonthlyActivity.monthIndex(year: year, month: month)
        }
        return parts.count == 1 ? Int(text) : nil
    }

    /// `YYYY-MM` for a month index.
    public static func periodText(_ period: Int) -> String { MonthlyActivity.text(ofMonth: period) }

    static func isMissing(_ cell: String) -> Bool { cell.isEmpty || cell == "NaN" || cell == "nan" || cell == "NA" }

    static func trimmed(_ cell: String) -> String {
        var text = Substring(cell)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
