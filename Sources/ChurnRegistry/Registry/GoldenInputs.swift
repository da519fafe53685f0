public import ChurnModel

/// Rows a model scored when it was published, with the probabilities it gave: a scorer that
/// downloads the version scores them again and serves it only if every probability is equal to
/// the bit — a check that the artifact arrived whole and that this build scores it as the
/// publisher's did.
///
/// The rows are fixed patterns over the model's schema: every feature missing, every feature
/// zero, then values from small negatives to large positives (categorical features cycle through
/// their vocabulary and one unknown code), shifted per feature so rows differ.
public struct GoldenInputs: Sendable, Hashable {
    public let rows: [[Double]]
    public let probabilities: [Double]

    public init(rows: [[Double]], probabilities: [Double]) {
        self.rows = rows
        self.probabilities = probabilities
    }

    static let pattern: [Double] = [-1, 0.25, 1, 3, 12.5, 30, 90, 365, 1_000, 25_000]

    /// The golden rows for `model` and what it gives them.
    public static func make(for model: TrainedModel) throws(ModelError) -> GoldenInputs {
        var rows: [[Double]] = [
            Array(repeating: .nan, count: model.schema.features.count),
            Array(repeating: 0, count: model.schema.features.count),
        ]
        for shift in 0..<14 {
            rows.append(
                model.schema.features.enumerated().map { index, feature in
                    switch feature.kind {
                    case .numeric: Self.pattern[(shift + index) % Self.pattern.count]
                    case .categorical(let vocabulary): Double((shift + index) % (vocabulary.count + 1))
                    }
                }
            )
        }
        var probabilities: [Double] = []
        for row in rows { probabilities.append(try model.probability(row)) }
        return GoldenInputs(rows: rows, probabilities: probabilities)
    }

    /// Scores the rows with `model` and compares.
    ///
    /// - Throws: ``RegistryError/Code/invalidArtifact`` naming the first row that differs.
    public func verify(_ model: TrainedModel) throws(RegistryError) {
        guard self.rows.count == self.probabilities.count, !self.rows.isEmpty else {
            throw RegistryError(.invalidArtifact, "the golden inputs are incomplete")
        }
        for (index, row) in self.rows.enumerated() {
            let probability: Double
            do {
                probability = try model.probability(row)
            } catch {
                throw RegistryError(.invalidArtifact, "golden row \(index) cannot be scored: \(error.message)")
            }
            guard probability.bitPattern == self.probabilities[index].bitPattern else {
                throw RegistryError(
                    .invalidArtifact,
                    "golden row \(index) scores \(probability), the publisher recorded \(self.probabilities[index])"
                )
            }
        }
    }

    /// Little-endian float64s, row after row.
    public var encodedRows: [UInt8] { Self.encode(self.rows.flatMap { $0 }) }
    public var encodedProbabilities: [UInt8] { Self.encode(self.probabilities) }

    /// The inverse of ``encodedRows`` and ``encodedProbabilities``.
    ///
    /// - Throws: ``RegistryError/Code/invalidArtifact`` when the sizes do not fit.
    public init(encodedRows: [UInt8], encodedProbabilities: [UInt8]) throws(RegistryError) {
        let values = try Self.decode(encodedRows)
        let probabilities = try Self.decode(encodedProbabilities)
        guard !probabilities.isEmpty, values.count % probabilities.count == 0 else {
            throw RegistryError(.invalidArtifact, "the golden inputs do not divide into rows")
        }
        let width = values.count / probabilities.count
        self.rows = (0..<probabilities.count).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
        self.probabilities = probabilities
    }

    static func encode(_ values: [Double]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 8)
        for value in values {
            let bits = value.bitPattern
            for shift in stride(from: 0, to: 64, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
            }
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws(RegistryError) -> [Double] {
        guard bytes.count % 8 == 0 else { throw RegistryError(.invalidArtifact, "golden data is not whole float64s") }
        return stride(from: 0, to: bytes.count, by: 8).map { start in
            var bits: UInt64 = 0
            for offset in 0..<8 { bits |= UInt64(bytes[start + offset]) << UInt64(offset * 8) }
            return Double(bitPattern: bits)
        }
    }
}
