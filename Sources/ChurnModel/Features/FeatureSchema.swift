/// The ordered, typed features a model reads, and the hash callers send with their feature
/// vectors so that a vector built for another schema is refused, never silently mis-scored.
///
/// ```swift
/// let schema = try FeatureSchema([
///     .numeric("days_inactive"),
///     .categorical("product_group", vocabulary: ["fuel-cards", "tolls", "parking"]),
/// ])
/// request.featureSchemaHash = schema.hash
/// ```
public struct FeatureSchema: Sendable, Hashable {
    /// One feature: its name and kind.
    public struct Feature: Sendable, Hashable {
        /// How a feature's values are read.
        public enum Kind: Sendable, Hashable {
            /// A float64 value; NaN means missing.
            case numeric
            /// A category from a fixed vocabulary, encoded as its index there (0, 1, …); a value
            /// outside the vocabulary is encoded as NaN (missing).
            case categorical(vocabulary: [String])
        }

        public var name: String
        public var kind: Kind

        /// A numeric feature.
        public static func numeric(_ name: String) -> Feature { Feature(name: name, kind: .numeric) }

        /// A categorical feature with its vocabulary, in code order.
        public static func categorical(_ name: String, vocabulary: [String]) -> Feature {
            Feature(name: name, kind: .categorical(vocabulary: vocabulary))
        }
    }

    /// The features, in the order vectors hold their values.
    public let features: [Feature]
    /// The schema's hash: FNV-1a (64 bit) of ``canonicalText``. Stable across processes, releases
    /// and languages; any change of a name, kind, order or vocabulary changes it.
    public let hash: UInt64

    /// Makes a schema.
    ///
    /// - Throws: ``ModelError/Code/malformedModel`` for an empty or repeated feature name, a name
    ///   or category holding a line break or a comma, or a repeated category.
    public init(_ features: [Feature]) throws(ModelError) {
        var names: Set<String> = []
        for feature in features {
            guard !feature.name.isEmpty, !feature.name.contains(where: { $0 == "\n" || $0 == "," || $0 == " " }) else {
                throw ModelError(
                    .malformedModel,
                    "feature name '\(feature.name)' is empty or holds a space, comma or line break"
                )
            }
            guard names.insert(feature.name).inserted else {
                throw ModelError(.malformedModel, "feature '\(feature.name)' appears twice")
            }
            if case .categorical(let vocabulary) = feature.kind {
                guard Set(vocabulary).count == vocabulary.count,
                    !vocabulary.contains(where: { $0.contains(where: { $0 == "\n" || $0 == "," }) })
                else {
                    throw ModelError(
                        .malformedModel,
                        "feature '\(feature.name)' repeats a category or holds a comma or line break in one"
                    )
                }
            }
        }
        self.features = features
        self.hash = Self.fnv1a64(Array(Self.canonicalText(of: features).utf8))
    }

    /// The text the hash is taken of: `churn.features.v1`, then one line per feature —
    /// `numeric NAME` or `categorical NAME A,B,C` — each ending in a line feed.
    public var canonicalText: String { Self.canonicalText(of: self.features) }

    /// The position of the feature called `name`.
    public func index(of name: String) -> Int? { self.features.firstIndex { $0.name == name } }

    /// The value that encodes `category` for the categorical feature at `index`: its vocabulary
    /// position, or NaN (missing) for a category outside the vocabulary or a numeric feature.
    public func code(of category: String, feature index: Int) -> Double {
        guard case .categorical(let vocabulary) = self.features[index].kind,
            let position = vocabulary.firstIndex(of: category)
        else { return .nan }
        return Double(position)
    }

    static func canonicalText(of features: [Feature]) -> String {
        var text = "churn.features.v1\n"
        for feature in features {
            switch feature.kind {
            case .numeric: text += "numeric \(feature.name)\n"
            case .categorical(let vocabulary):
                text += "categorical \(feature.name) \(vocabulary.joined(separator: ","))\n"
            }
        }
        return text
    }

    /// FNV-1a, 64 bit: offset basis 0xcbf29ce484222325, prime 0x100000001b3.
    static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
