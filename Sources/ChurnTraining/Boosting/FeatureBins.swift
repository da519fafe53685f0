/// Training rows with every feature value replaced by its histogram bin: the input of
/// histogram-based tree growing.
///
/// A feature's bins are ranges of its training values: bin `b` holds the values in
/// `(upperBounds[b - 1], upperBounds[b]]` (the last bound is the largest finite double). With at most `maxBins` distinct
/// values each gets a bin of its own, the bound half way to the next; otherwise bins hold about
/// equal numbers of rows. Missing (NaN) values, when the feature has any, get one more bin after
/// the others. A split "bin ≤ b goes left" is then the tree rule "value ≤ upperBounds[b] goes
/// left", which is how the trained trees score raw values.
struct FeatureBins {
    /// Per feature: the upper bound of each bin, ascending, the last the largest finite double.
    let upperBounds: [[Double]]
    /// Per feature: whether training rows had missing values (they are in the bin after the others).
    let hasMissing: [Bool]
    /// Per feature, per row: the bin.
    let bins: [[UInt8]]

    /// Bins `columns` (each a feature's values over the training rows).
    ///
    /// - Parameter maxBins: bins per feature for present values, 2...255.
    init(columns: [[Double]], maxBins: Int) {
        precondition((2...255).contains(maxBins))
        var upperBounds: [[Double]] = []
        var hasMissing: [Bool] = []
        var bins: [[UInt8]] = []
        for column in columns {
            let bounds = Self.upperBounds(of: column, maxBins: maxBins)
            let missing = column.contains { $0.isNaN }
            upperBounds.append(bounds)
            hasMissing.append(missing)
            bins.append(column.map { UInt8(Self.bin(of: $0, bounds: bounds, hasMissing: missing)) })
        }
        self.upperBounds = upperBounds
        self.hasMissing = hasMissing
        self.bins = bins
    }

    /// Bins for present values of `feature`.
    func presentBins(_ feature: Int) -> Int { self.upperBounds[feature].count }

    /// All bins of `feature`, the missing bin included when there is one.
    func totalBins(_ feature: Int) -> Int { self.presentBins(feature) + (self.hasMissing[feature] ? 1 : 0) }

    /// The bin of one value. NaN goes to the missing bin, or, for a feature trained without
    /// missing values, is read as 0 (as the trees score it).
    static func bin(of value: Double, bounds: [Double], hasMissing: Bool) -> Int {
        if value.isNaN {
            if hasMissing { return bounds.count }
            return Self.bin(of: 0, bounds: bounds, hasMissing: false)
        }
        var low = 0
        var high = bounds.count - 1
        while low < high {
            let middle = (low + high) / 2
            if value <= bounds[middle] { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The upper bounds of a column's bins.
    static func upperBounds(of column: [Double], maxBins: Int) -> [Double] {
        let present = column.filter { !$0.isNaN }.sorted()
        guard !present.isEmpty else { return [.greatestFiniteMagnitude] }
        var distinct: [Double] = []
        var counts: [Int] = []
        for value in present {
            if let last = distinct.last, last == value {
                counts[counts.count - 1] += 1
            } else {
                distinct.append(value)
                counts.append(1)
            }
        }
        var bounds: [Double] = []
        if distinct.count <= maxBins {
            for index in 0..<(distinct.count - 1) {
                bounds.append(Self.between(distinct[index], distinct[index + 1]))
            }
        } else {
            // Close a bin once it holds its share of the rows still to be placed.
            var remainingRows = present.count
            var remainingBins = maxBins
            var inBin = 0
            for index in 0..<(distinct.count - 1) {
                inBin += counts[index]
                let share = Double(remainingRows) / Double(remainingBins)
                if Double(inBin) >= share || distinct.count - 1 - index < remainingBins {
                    bounds.append(Self.between(distinct[index], distinct[index + 1]))
                    remainingRows -= inBin
                    remainingBins -= 1
                    inBin = 0
                    if remainingBins == 1 { break }
                }
            }
        }
        bounds.append(.greatestFiniteMagnitude)
        return bounds
    }

    /// A bound `b` with `low <= b < high`: half way when that is representable.
    static func between(_ low: Double, _ high: Double) -> Double {
        let middle = low + (high - low) / 2
        return middle < high && middle >= low ? middle : low
    }
}
