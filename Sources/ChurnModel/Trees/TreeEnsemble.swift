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
    /// Per tree: where its splits, leaves and category words start in the shared arrays (one more
    /// entry than trees, closing the last).
    let extents: [(nodes: Int, leaves: Int, categories: Int, sets: Int)]

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
        var extents: [(nodes: Int, leaves: Int, categories: Int, sets: Int)] = []
        // Sized once: grown by appending, the arrays would keep up to twice what they hold for as
        // long as the model serves, and copy themselves on the way.
        let splitTotal = trees.reduce(0) { $0 + $1.splitFeature.count }
        let leafTotal = trees.reduce(0) { $0 + $1.leafValues.count }
        nodes.reserveCapacity(splitTotal)
        splitCounts.reserveCapacity(splitTotal)
        leafValues.reserveCapacity(leafTotal)
        leafCounts.reserveCapacity(leafTotal)
        categoryBits.reserveCapacity(trees.reduce(0) { $0 + $1.categoryThresholds.count })
        roots.reserveCapacity(trees.count)
        depths.reserveCapacity(trees.count)
        expectedValues.reserveCapacity(trees.count)
        extents.reserveCapacity(trees.count + 1)
        for (index, tree) in trees.enumerated() {
            extents.append((nodes.count, leafValues.count, categoryBits.count, tree.categoryBoundaries.count - 1))
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
        extents.append((nodes.count, leafValues.count, categoryBits.count, 0))
        self.extents = extents
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
                    self.roots.withUnsafeBufferPointer { roots in
                        sum = Self.sumOfLeaves(roots: roots, row: row, nodes: nodes, leaves: leaves, bits: bits)
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

    /// The sum of the leaves a row reaches, added in tree order (as LightGBM adds them).
    ///
    /// Walking a tree is a chain of dependent loads (node, then the row's value, then the child),
    /// and a large model's nodes live in L2, so one walk mostly waits. Eight trees are walked in
    /// lockstep so that their chains overlap; a walk that reached its leaf idles on it (its index
    /// stays negative) until the slowest of the eight is done.
    @inlinable
    static func sumOfLeaves(
        roots: UnsafeBufferPointer<Int32>,
        row: UnsafeBufferPointer<Double>,
        nodes: UnsafeBufferPointer<TreeNode>,
        leaves: UnsafeBufferPointer<Double>,
        bits: UnsafeBufferPointer<UInt32>
    ) -> Double {
        var sum = 0.0
        var tree = 0
        while tree + 8 <= roots.count {
            var walks = (
                roots[tree], roots[tree + 1], roots[tree + 2], roots[tree + 3],
                roots[tree + 4], roots[tree + 5], roots[tree + 6], roots[tree + 7]
            )
            while (walks.0 & walks.1 & walks.2 & walks.3 & walks.4 & walks.5 & walks.6 & walks.7) >= 0 {
                walks.0 = Self.step(walks.0, row: row, nodes: nodes, bits: bits)
                walks.1 = Self.step(walks.1, row: row, nodes: nodes, bits: bits)
                walks.2 = Self.step(walks.2, row: row, nodes: nodes, bits: bits)
                walks.3 = Self.step(walks.3, row: row, nodes: nodes, bits: bits)
                walks.4 = Self.step(walks.4, row: row, nodes: nodes, bits: bits)
                walks.5 = Self.step(walks.5, row: row, nodes: nodes, bits: bits)
                walks.6 = Self.step(walks.6, row: row, nodes: nodes, bits: bits)
                walks.7 = Self.step(walks.7, row: row, nodes: nodes, bits: bits)
            }
            // In tree order, as LightGBM adds them, so the sum is the same to the bit.
            sum += leaves[Int(~walks.0)]
            sum += leaves[Int(~walks.1)]
            sum += leaves[Int(~walks.2)]
            sum += leaves[Int(~walks.3)]
            sum += leaves[Int(~walks.4)]
            sum += leaves[Int(~walks.5)]
            sum += leaves[Int(~walks.6)]
            sum += leaves[Int(~walks.7)]
            tree += 8
        }
        while tree < roots.count {
            sum += leaves[Int(Self.leaf(from: roots[tree], row: row, nodes: nodes, bits: bits))]
            tree += 1
        }
        return sum
    }

    /// One lockstep step: a walk on a split moves to the child; a walk on a leaf stays.
    @inlinable
    @inline(__always)
    static func step(
        _ index: Int32,
        row: UnsafeBufferPointer<Double>,
        nodes: UnsafeBufferPointer<TreeNode>,
        bits: UnsafeBufferPointer<UInt32>
    ) -> Int32 {
        guard index >= 0 else { return index }
        let node = nodes[Int(index)]
        return Self.child(of: node, value: row[Int(node.feature)], bits: bits)
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
            let node = nodes[Int(index)]
            index = Self.child(of: node, value: row[Int(node.feature)], bits: bits)
        }
        return ~index
    }

    /// LightGBM's `Decision`: the child a value goes to at `node`.
    ///
    /// Numerical splits are decided inline with selects: NaN goes where the ensemble precomputed
    /// (``TreeNode/Flags/nanGoesLeft``), with zero as missing values within LightGBM's zero
    /// threshold go the default way, others compare. Categorical splits are rarer and out of line.
    @inlinable
    @inline(__always)
    static func child(of node: TreeNode, value: Double, bits: UnsafeBufferPointer<UInt32>) -> Int32 {
        if _slowPath(node.flags.isCategorical) { return Self.categoricalChild(of: node, value: value, bits: bits) }
        let compared = value <= node.threshold
        let isZeroMissing = node.flags.missingType == 1 && abs(value) <= Self.zeroThreshold
        let goesLeft = value.isNaN ? node.flags.nanGoesLeft : (isZeroMissing ? node.flags.defaultLeft : compared)
        return goesLeft ? node.left : node.right
    }

    /// A categorical split: the category goes left when it is in the split's set; NaN, negatives
    /// and values outside Int32 (which x86 truncates to INT_MIN in LightGBM) go right.
    @usableFromInline
    @inline(never)
    static func categoricalChild(of node: TreeNode, value: Double, bits: UnsafeBufferPointer<UInt32>) -> Int32 {
        guard !value.isNaN else { return node.right }
        let truncated = value.rounded(.towardZero)
        guard truncated >= 0, truncated < 2_147_483_648 else { return node.right }
        let category = Int(truncated)
        let word = category >> 5
        guard word < Int(node.categoryWords) else { return node.right }
        let set = bits[Int(node.categoryStart) + word] >> UInt32(category & 31) & 1
        return set == 1 ? node.left : node.right
    }

    /// LightGBM's `kZeroThreshold` (1e-35 as a float, 1.0000000180025095e-35): values this close
    /// to 0 are zero. A literal, so reading it costs no lazy-initialization check.
    @usableFromInline
    static var zeroThreshold: Double { 1.0000000180025095e-35 }
}
