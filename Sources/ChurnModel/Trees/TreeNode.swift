/// One split of a tree, laid out flat (32 bytes) so that walking a tree touches few cache lines.
public struct TreeNode: Sendable, Hashable {
    /// How the split decides, LightGBM's `decision_type` byte: bit 0 categorical, bit 1 missing
    /// values go left, bits 2–3 the missing-value type (0 none, 1 zero, 2 NaN).
    public struct Flags: Sendable, Hashable {
        public var rawValue: UInt8

        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// The split tests membership of a category set, not `value <= threshold`.
        @inlinable public var isCategorical: Bool { self.rawValue & 1 != 0 }
        /// Missing values (as `missingType` defines them) go to the left child.
        @inlinable public var defaultLeft: Bool { self.rawValue & 2 != 0 }
        /// 0: no missing values at training (NaN is read as 0); 1: zero is missing; 2: NaN is missing.
        @inlinable public var missingType: UInt8 { (self.rawValue >> 2) & 3 }
        /// Derived when the ensemble is built (not LightGBM's): where a NaN goes at this split, so
        /// scoring decides it with a select instead of branches.
        @inlinable public var nanGoesLeft: Bool { self.rawValue & Self.nanGoesLeftBit != 0 }

        /// The bit of ``nanGoesLeft``, above LightGBM's four.
        public static let nanGoesLeftBit: UInt8 = 1 << 4
    }

    /// Numerical splits: values `<=` this go left.
    public var threshold: Double
    /// The feature index the split reads.
    public var feature: Int32
    /// The left child: a node index (≥ 0) in the ensemble, or `~leaf` (< 0) for a leaf.
    public var left: Int32
    /// The right child, encoded as `left` is.
    public var right: Int32
    /// Categorical splits: where the category bitset starts in the ensemble's words.
    public var categoryStart: Int32
    /// Categorical splits: how many 32-bit words the bitset has.
    public var categoryWords: UInt16
    public var flags: Flags

    public init(
        threshold: Double,
        feature: Int32,
        left: Int32,
        right: Int32,
        categoryStart: Int32 = 0,
        categoryWords: UInt16 = 0,
        flags: Flags
    ) {
        self.threshold = threshold
        self.feature = feature
        self.left = left
        self.right = right
        self.categoryStart = categoryStart
        self.categoryWords = categoryWords
        self.flags = flags
    }
}
