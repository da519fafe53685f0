/// One tree as LightGBM's text format and the trainers describe it: parallel arrays over its
/// splits (`splitFeature.count == leafValues.count - 1`) and its leaves, children as split indices
/// (≥ 0) or `~leaf` (< 0). ``TreeEnsemble`` checks and flattens these.
public struct DecisionTree: Sendable, Hashable {
    public var splitFeature: [Int]
    /// Numerical splits: the threshold; categorical splits: the index of the category set.
    public var threshold: [Double]
    /// LightGBM's `decision_type` per split (see ``TreeNode/Flags``).
    public var decisionType: [UInt8]
    public var leftChild: [Int]
    public var rightChild: [Int]
    public var leafValues: [Double]
    /// Training rows that reached each leaf (TreeSHAP's cover).
    public var leafCounts: [Double]
    /// Training rows that reached each split.
    public var splitCounts: [Double]
    /// Category set `i` is `categoryThresholds[categoryBoundaries[i]..<categoryBoundaries[i + 1]]`,
    /// a bitset of 32-bit words: category `c` is in it when bit `c % 32` of word `c / 32` is set.
    public var categoryBoundaries: [Int]
    public var categoryThresholds: [UInt32]

    public init(
        splitFeature: [Int] = [],
        threshold: [Double] = [],
        decisionType: [UInt8] = [],
        leftChild: [Int] = [],
        rightChild: [Int] = [],
        leafValues: [Double],
        leafCounts: [Double] = [],
        splitCounts: [Double] = [],
        categoryBoundaries: [Int] = [0],
        categoryThresholds: [UInt32] = []
    ) {
        self.splitFeature = splitFeature
        self.threshold = threshold
        self.decisionType = decisionType
        self.leftChild = leftChild
        self.rightChild = rightChild
        self.leafValues = leafValues
        self.leafCounts = leafCounts
        self.splitCounts = splitCounts
        self.categoryBoundaries = categoryBoundaries
        self.categoryThresholds = categoryThresholds
    }
}
