extension TreeEnsemble {
    struct FlattenedTree {
        var root: Int32
        var nodes: [TreeNode]
        var depth: Int
    }

    /// Checks one tree and re-indexes it into the ensemble's shared arrays.
    static func flatten(
        _ tree: DecisionTree,
        index: Int,
        featureCount: Int,
        nodeOffset: Int,
        leafOffset: Int,
        categoryOffset: Int
    ) throws(ModelError) -> FlattenedTree {
        func broken(_ message: String) -> ModelError { ModelError(.inconsistentTree, "tree \(index): \(message)") }
        let leaves = tree.leafValues.count
        let splits = leaves - 1
        guard leaves >= 1 else { throw broken("no leaves") }
        for (name, count) in [
            ("split_feature", tree.splitFeature.count), ("threshold", tree.threshold.count),
            ("decision_type", tree.decisionType.count), ("left_child", tree.leftChild.count),
            ("right_child", tree.rightChild.count),
        ] where count != splits {
            throw broken("\(name) has \(count) entries, \(leaves) leaves need \(splits)")
        }
        guard tree.leafCounts.isEmpty || tree.leafCounts.count == leaves else {
            throw broken("leaf_count has the wrong length")
        }
        guard tree.splitCounts.isEmpty || tree.splitCounts.count == splits else {
            throw broken("internal_count has the wrong length")
        }
        let boundaries = tree.categoryBoundaries
        guard boundaries.first == 0, zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 <= $1 }),
            boundaries.last == tree.categoryThresholds.count
        else { throw broken("cat_boundaries do not partition cat_threshold") }
        guard splits > 0 else {
            return FlattenedTree(root: ~Int32(leafOffset), nodes: [], depth: 0)
        }

        // Every split and leaf must be reached exactly once from split 0.
        var reachedSplit = [Bool](repeating: false, count: splits)
        var reachedLeaf = [Bool](repeating: false, count: leaves)
        var depth = 0
        var stack: [(child: Int, depth: Int)] = [(0, 0)]
        while let (child, level) = stack.popLast() {
            if child < 0 {
                let leaf = ~child
                guard leaf < leaves, !reachedLeaf[leaf] else {
                    throw broken("leaf \(leaf) is out of range or reached twice")
                }
                reachedLeaf[leaf] = true
                depth = max(depth, level)
                continue
            }
            guard child < splits, !reachedSplit[child] else {
                throw broken("split \(child) is out of range or reached twice")
            }
            reachedSplit[child] = true
            stack.append((tree.leftChild[child], level + 1))
            stack.append((tree.rightChild[child], level + 1))
        }
        guard reachedSplit.allSatisfy({ $0 }), reachedLeaf.allSatisfy({ $0 }) else {
            throw broken("some splits or leaves are not reachable from the root")
        }

        var nodes: [TreeNode] = []
        nodes.reserveCapacity(splits)
        for split in 0..<splits {
            let feature = tree.splitFeature[split]
            guard feature >= 0, feature < featureCount else {
                throw broken("split \(split) reads feature \(feature), the model has \(featureCount)")
            }
            guard tree.decisionType[split] & ~0x0F == 0 else {
                throw broken("split \(split) has decision_type \(tree.decisionType[split]), which sets unknown bits")
            }
            var flags = TreeNode.Flags(rawValue: tree.decisionType[split])
            var categoryStart = 0
            var categoryWords = 0
            if flags.isCategorical {
                let set = Int(exactly: tree.threshold[split]) ?? -1
                guard set >= 0, set + 1 < boundaries.count else {
                    throw broken(
                        "split \(split) names category set \(tree.threshold[split]), there are \(boundaries.count - 1)"
                    )
                }
                categoryStart = categoryOffset + boundaries[set]
                categoryWords = boundaries[set + 1] - boundaries[set]
                guard categoryWords <= Int(UInt16.max) else { throw broken("split \(split) has too many categories") }
            } else if flags.missingType == 3 {
                throw broken("split \(split) has missing type 3, which does not exist")
            } else {
                // NaN is missing (type 2), or is read as 0 which is missing (type 1), or is read as
                // 0 and compared (type 0).
                let nanLeft = flags.missingType != 0 ? flags.defaultLeft : 0 <= tree.threshold[split]
                if nanLeft { flags.rawValue |= TreeNode.Flags.nanGoesLeftBit }
            }
            func global(_ child: Int) -> Int32 {
                child >= 0 ? Int32(nodeOffset + child) : ~Int32(leafOffset + ~child)
            }
            nodes.append(
                TreeNode(
                    threshold: tree.threshold[split],
                    feature: Int32(feature),
                    left: global(tree.leftChild[split]),
                    right: global(tree.rightChild[split]),
                    categoryStart: Int32(categoryStart),
                    categoryWords: UInt16(categoryWords),
                    flags: flags
                )
            )
        }
        return FlattenedTree(root: Int32(nodeOffset), nodes: nodes, depth: depth)
    }

    /// LightGBM's `Tree::ExpectedValue`: the leaves' values weighted by their training counts.
    static func expectedValue(of tree: DecisionTree) -> Double {
        guard tree.leafValues.count > 1 else { return tree.leafValues[0] }
        let total = tree.splitCounts.first ?? 0
        guard total > 0 else { return 0 }
        var value = 0.0
        for (leaf, output) in tree.leafValues.enumerated() {
            value += (tree.leafCounts[leaf] / total) * output
        }
        return value
    }
}
