extension TreeEnsemble {
    /// The trees in LightGBM's per-tree layout, as ``init(trees:featureCount:averageOutput:)``
    /// took them: what an artifact stores.
    public var trees: [DecisionTree] {
        (0..<self.treeCount).map { self.tree($0) }
    }

    /// Tree `index`, re-indexed from the shared arrays to its own.
    func tree(_ index: Int) -> DecisionTree {
        let start = self.extents[index]
        let end = self.extents[index + 1]
        let nodes = self.nodes[start.nodes..<end.nodes]
        func local(_ child: Int32) -> Int {
            child >= 0 ? Int(child) - start.nodes : ~(Int(~child) - start.leaves)
        }
        // Category set i starts where the split naming it points; sets are stored in index order.
        var boundaries = [Int](repeating: 0, count: start.sets + 1)
        for node in nodes where node.flags.isCategorical {
            let set = Int(node.threshold)
            boundaries[set] = Int(node.categoryStart) - start.categories
            boundaries[set + 1] = Int(node.categoryStart) - start.categories + Int(node.categoryWords)
        }
        return DecisionTree(
            splitFeature: nodes.map { Int($0.feature) },
            threshold: nodes.map(\.threshold),
            decisionType: nodes.map { $0.flags.rawValue & 0x0F },
            leftChild: nodes.map { local($0.left) },
            rightChild: nodes.map { local($0.right) },
            leafValues: Array(self.leafValues[start.leaves..<end.leaves]),
            leafCounts: Array(self.leafCounts[start.leaves..<end.leaves]),
            splitCounts: Array(self.splitCounts[start.nodes..<end.nodes]),
            categoryBoundaries: boundaries,
            categoryThresholds: Array(self.categoryBits[start.categories..<end.categories])
        )
    }
}
