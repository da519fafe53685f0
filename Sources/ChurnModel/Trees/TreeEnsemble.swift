/// A checked, flattened ensemble of decision trees, scored the way LightGBM scores it.
///
/// Every tree's splits live in one array of 32-byte ``TreeNode``s and every leaf value in another,
/// so scoring a row walks contiguous memory with no allocation. The decision rules are LightGBM's
/// (`tree.h`): numerical splits send `value <= threshold` left, a NaN that the split was not
/// trained to treat as missing counts as 0, missing values follow `default_left`; categorical
/// splits send a category left when it is in the split's set, and NaN, negative, or out-of-range
/// values right. Scores are the trees' sum in tree order (divided by the tree count for averaged
/// models such as random forests), so they equal LightGBM's bit for bit.
///
/// ```swift
/// let model = try LightGBMModel(text: String(contentsOfFile: "model.txt"))
/// let probability = try model.ensemble.rawScore(row).map(model.link.apply)
/// ```
public struct TreeEnsemble: Sendable {
    /// How many features a row must have.
    public let featureCount: Int
    /// Whether the score is the trees' mean rather than their sum.
    public let averageOutput: Bool
    /// Every split of every tree.
    public let nodes: [TreeNode]
    /// Every leaf value of every tree.
    public let leafValues: [Double]
    /// Per tree: its root split, or `~leaf` for a tree that is a single leaf.
    public let roots: [Int32]
    /// The category bitsets of every categorical split.
    public let categoryBits: [UInt32]
    /// Training rows per split and per leaf (TreeSHAP's cover).
    let splitCounts: [Double]
    let leafCounts: [Double]
    /// Per tree: the number of splits on its longest root-to-leaf path.
    let depths: [Int]
    /// Per tree: its mean output over the training rows.
    let expectedValues: [Double]

    /// The number of trees.
    public var treeCount: Int { self.roots.count }

    /// Checks and flattens `trees`.
    ///
    /// - Throws: ``ModelError/Code/inconsistentTree`` when a tree's arrays disagree in length, a
    ///   child or feature index is out of range, a node is not reached exactly once from the root,
    ///   or a category set is out of bounds.
    public init(trees: [DecisionTree], featureCount: Int, averageOutput: Bool = false) throws(ModelError) {
        guard !trees.isEmpty else { throw ModelError(.inconsistentTree, "the model has no trees") }
        var nodes: [TreeNode] = []
        var leafValues: [Double] = []
        var splitCounts: [Double] = []
        var leafCounts: [Double] = []
        var roots: [Int32] = []
        var categoryBits: [UInt32] = []
        var depths: [Int] = []
        var expectedValues: [Double] = []
        for (index, tree) in trees.enumerated() {
            let flattened = try Self.flatten(
                tree,
                index: index,
                featureCount: featureCount,
                nodeOffset: nodes.count,
                leafOffset: leafValues.count,
                categoryOffset: categoryBits.count
            )
            roots.append(flattened.root)
            nodes += flattened.nodes
            leafValues += tree.leafValues
            splitCounts +=
                tree.splitCounts.isEmpty ? Array(repeating: 0, count: flattened.nodes.count) : tree.splitCounts
            leafCounts += tree.leafCounts.isEmpty ? Array(repeating: 0, count: tree.leafValues.count) : tree.leafCounts
            categoryBits += tree.categoryThresholds
            depths.append(flattened.depth)
            expectedValues.append(Self.expectedValue(of: tree))
        }
        self.featureCount = featureCount
        self.averageOutput = averageOutput
        self.nodes = nodes
        self.leafValues = leafValues
        self.roots = roots
        self.categoryBits = categoryBits
        self.splitCounts = splitCounts
        self.leafCounts = leafCounts
        self.depths = depths
        self.expectedValues = expectedValues
    }

    /// The model's raw score for one row (log-odds for a binary model).
    ///
    /// - Throws: ``ModelError/Code/featureCountMismatch`` when the row is not `featureCount` long.
    @inlinable
    public func rawScore(_ row: UnsafeBufferPointer<Double>) throws(ModelError) -> Double {
        guard row.count == self.featureCount else {
            throw ModelError(
                .featureCountMismatch,
                "the row has \(row.count) features, the model reads \(self.featureCount)"
            )
        }
        var sum = 0.0
        self.nodes.withUnsafeBufferPointer { nodes in
            self.leafValues.withUnsafeBufferPointer { leaves in
                self.categoryBits.withUnsafeBufferPointer { bits in
                    for root in self.roots {
                        sum += leaves[Int(Self.leaf(from: root, row: row, nodes: nodes, bits: bits))]
                    }
                }
            }
        }
        return self.averageOutput ? sum / Double(self.roots.count) : sum
    }

    /// The model's raw score for one row.
    ///
    /// - Throws: ``ModelError/Code/featureCountMismatch`` when the row is not `featureCount` long.
    @inlinable
    public func rawScore(_ row: [Double]) throws(ModelError) -> Double {
        let result: Result<Double, ModelError> = row.withUnsafeBufferPointer { buffer in
            Result { () throws(ModelError) -> Double in try self.rawScore(buffer) }
        }
        return try result.get()
    }

    /// The leaf a row reaches from `start` (a split index, or `~leaf`), as a leaf index.
    @inlinable
    static func leaf(
        from start: Int32,
        row: UnsafeBufferPointer<Double>,
        nodes: UnsafeBufferPointer<TreeNode>,
        bits: UnsafeBufferPointer<UInt32>
    ) -> Int32 {
        var index = start
        while index >= 0 {
            index = Self.child(of: nodes[Int(index)], value: row[Int(nodes[Int(index)].feature)], bits: bits)
        }
        return ~index
    }

    /// LightGBM's `Decision`: the child a value goes to at `node`.
    @inlinable
    static func child(of node: TreeNode, value: Double, bits: UnsafeBufferPointer<UInt32>) -> Int32 {
        if node.flags.isCategorical {
            // NaN, negatives and values outside Int32 (which x86 truncates to INT_MIN) go right.
            guard !value.isNaN else { return node.right }
            let truncated = value.rounded(.towardZero)
            guard truncated >= 0, truncated < 2_147_483_648 else { return node.right }
            let category = Int(truncated)
            let word = category >> 5
            guard word < Int(node.categoryWords) else { return node.right }
            let set = bits[Int(node.categoryStart) + word] >> UInt32(category & 31) & 1
            return set == 1 ? node.left : node.right
        }
        var value = value
        let missingType = node.flags.missingType
        if value.isNaN && missingType != 2 { value = 0 }
        if (missingType == 1 && value >= -Self.zeroThreshold && value <= Self.zeroThreshold)
            || (missingType == 2 && value.isNaN)
        {
            return node.flags.defaultLeft ? node.left : node.right
        }
        return value <= node.threshold ? node.left : node.right
    }

    /// LightGBM's `kZeroThreshold` (1e-35 as a float): values this close to 0 are zero.
    @usableFromInline
    static let zeroThreshold = Double(Float(1e-35))
}
