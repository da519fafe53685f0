/// Exact per-feature contributions by path-dependent TreeSHAP (Lundberg, Erion & Lee, "Consistent
/// Individualized Feature Attribution for Tree Ensembles", 2018, algorithm 2), with LightGBM's
/// conventions: a node's cover is its training row count, the "hot" child is the one the row
/// takes under the same decision rules as scoring, and each tree adds its expected value to the
/// last slot. Contributions are in raw-score space and sum to ``TreeEnsemble/rawScore(_:)-(Array<Double>)``.
extension TreeEnsemble {
    /// One step of the feature path TreeSHAP keeps while descending a tree.
    struct PathElement {
        var feature: Int32
        var zeroFraction: Double
        var oneFraction: Double
        var weight: Double
    }

    /// The contribution of every feature to the row's raw score, then the expected value (the
    /// score of an average training row): `featureCount + 1` values summing to the raw score.
    ///
    /// - Throws: ``ModelError/Code/featureCountMismatch`` for a row of the wrong length;
    ///   ``ModelError/Code/unsupportedModel`` when the trees carry no training counts to weigh by.
    public func contributions(_ row: [Double]) throws(ModelError) -> [Double] {
        var output = [Double](repeating: 0, count: self.featureCount + 1)
        let result: Result<Void, ModelError> = row.withUnsafeBufferPointer { row in
            output.withUnsafeMutableBufferPointer { output in
                Result { () throws(ModelError) in try self.contributions(row, into: output) }
            }
        }
        try result.get()
        return output
    }

    /// Writes the contributions of every feature, then the expected value, into `output`
    /// (`featureCount + 1` values), without allocating beyond one path buffer per call.
    ///
    /// - Throws: as ``contributions(_:)``.
    public func contributions(
        _ row: UnsafeBufferPointer<Double>,
        into output: UnsafeMutableBufferPointer<Double>
    ) throws(ModelError) {
        guard row.count == self.featureCount, output.count == self.featureCount + 1 else {
            throw ModelError(
                .featureCountMismatch,
                "the row has \(row.count) features and the output \(output.count) slots; the model needs \(self.featureCount) and \(self.featureCount + 1)"
            )
        }
        guard self.hasCovers else {
            throw ModelError(.unsupportedModel, "the trees carry no training counts, which TreeSHAP weighs paths by")
        }
        for index in output.indices { output[index] = 0 }
        let deepest = self.depths.max() ?? 0
        // Each level of the recursion keeps its own copy of the path: 1 + 2 + … + (deepest + 2).
        let pathCapacity = (deepest + 2) * (deepest + 3) / 2
        withUnsafeTemporaryAllocation(of: PathElement.self, capacity: pathCapacity) { path in
            self.nodes.withUnsafeBufferPointer { nodes in
                self.categoryBits.withUnsafeBufferPointer { bits in
                    for (tree, root) in self.roots.enumerated() {
                        output[self.featureCount] += self.expectedValues[tree]
                        guard root >= 0 else { continue }
                        var walk = ShapWalk(
                            row: row,
                            output: output,
                            nodes: nodes,
                            bits: bits,
                            ensemble: self,
                            path: path
                        )
                        walk.descend(node: root, depth: 0, parentStart: 0, zeroFraction: 1, oneFraction: 1, feature: -1)
                    }
                }
            }
        }
        if self.averageOutput {
            let trees = Double(self.roots.count)
            for index in output.indices { output[index] /= trees }
        }
    }

    /// Whether every tree with splits knows how many training rows reached its root.
    var hasCovers: Bool {
        self.roots.allSatisfy { $0 < 0 || self.splitCounts[Int($0)] > 0 }
    }

    /// The rows that reached a split (index ≥ 0) or a leaf (`~leaf`).
    func cover(_ index: Int32) -> Double {
        index >= 0 ? self.splitCounts[Int(index)] : self.leafCounts[Int(~index)]
    }
}

/// The recursion of one row through one tree.
private struct ShapWalk {
    let row: UnsafeBufferPointer<Double>
    let output: UnsafeMutableBufferPointer<Double>
    let nodes: UnsafeBufferPointer<TreeNode>
    let bits: UnsafeBufferPointer<UInt32>
    let ensemble: TreeEnsemble
    let path: UnsafeMutableBufferPointer<TreeEnsemble.PathElement>

    /// Visits `node` with the path so far (`depth` + 1 elements at `parentStart`) extended by the
    /// split that led here.
    mutating func descend(
        node: Int32,
        depth: Int,
        parentStart: Int,
        zeroFraction: Double,
        oneFraction: Double,
        feature: Int32
    ) {
        var depth = depth
        let start = parentStart + depth
        if depth > 0 {
            for offset in 0..<depth { self.path[start + offset] = self.path[parentStart + offset] }
        }
        self.extend(start: start, depth: depth, zeroFraction: zeroFraction, oneFraction: oneFraction, feature: feature)

        if node < 0 {
            let value = self.ensemble.leafValues[Int(~node)]
            if depth > 0 {
                for index in 1...depth {
                    let weight = self.unwoundSum(start: start, depth: depth, index: index)
                    let element = self.path[start + index]
                    self.output[Int(element.feature)] += weight * (element.oneFraction - element.zeroFraction) * value
                }
            }
            return
        }

        let split = self.nodes[Int(node)]
        let hot = TreeEnsemble.child(of: split, value: self.row[Int(split.feature)], bits: self.bits)
        let cold = hot == split.left ? split.right : split.left
        let cover = self.ensemble.cover(node)
        let hotZeroFraction = self.ensemble.cover(hot) / cover
        let coldZeroFraction = self.ensemble.cover(cold) / cover
        var incomingZero = 1.0
        var incomingOne = 1.0

        // A feature already on the path is split again: undo its earlier step, then redo it here.
        var index = 0
        while index <= depth, self.path[start + index].feature != split.feature { index += 1 }
        if index <= depth {
            incomingZero = self.path[start + index].zeroFraction
            incomingOne = self.path[start + index].oneFraction
            self.unwind(start: start, depth: depth, index: index)
            depth -= 1
        }
        self.descend(
            node: hot,
            depth: depth + 1,
            parentStart: start,
            zeroFraction: hotZeroFraction * incomingZero,
            oneFraction: incomingOne,
            feature: split.feature
        )
        self.descend(
            node: cold,
            depth: depth + 1,
            parentStart: start,
            zeroFraction: coldZeroFraction * incomingZero,
            oneFraction: 0,
            feature: split.feature
        )
    }

    /// Adds a step to the path and updates the weights of every subset size.
    func extend(start: Int, depth: Int, zeroFraction: Double, oneFraction: Double, feature: Int32) {
        self.path[start + depth] = .init(
            feature: feature,
            zeroFraction: zeroFraction,
            oneFraction: oneFraction,
            weight: depth == 0 ? 1 : 0
        )
        let denominator = Double(depth + 1)
        var index = depth - 1
        while index >= 0 {
            self.path[start + index + 1].weight +=
                oneFraction * self.path[start + index].weight * Double(index + 1) / denominator
            self.path[start + index].weight =
                zeroFraction * self.path[start + index].weight * Double(depth - index) / denominator
            index -= 1
        }
    }

    /// Removes step `index` from the path, undoing its effect on the weights.
    func unwind(start: Int, depth: Int, index: Int) {
        let one = self.path[start + index].oneFraction
        let zero = self.path[start + index].zeroFraction
        var nextOnePortion = self.path[start + depth].weight
        var position = depth - 1
        while position >= 0 {
            if one != 0 {
                let saved = self.path[start + position].weight
                self.path[start + position].weight = nextOnePortion * Double(depth + 1) / (Double(position + 1) * one)
                nextOnePortion =
                    saved - self.path[start + position].weight * zero * Double(depth - position) / Double(depth + 1)
            } else {
                self.path[start + position].weight =
                    self.path[start + position].weight * Double(depth + 1) / (zero * Double(depth - position))
            }
            position -= 1
        }
        for position in index..<depth {
            self.path[start + position].feature = self.path[start + position + 1].feature
            self.path[start + position].zeroFraction = self.path[start + position + 1].zeroFraction
            self.path[start + position].oneFraction = self.path[start + position + 1].oneFraction
        }
    }

    /// The total weight of the path with step `index` removed, without changing the path.
    func unwoundSum(start: Int, depth: Int, index: Int) -> Double {
        let one = self.path[start + index].oneFraction
        let zero = self.path[start + index].zeroFraction
        var nextOnePortion = self.path[start + depth].weight
        var total = 0.0
        var position = depth - 1
        while position >= 0 {
            if one != 0 {
                let part = nextOnePortion * Double(depth + 1) / (Double(position + 1) * one)
                total += part
                nextOnePortion =
                    self.path[start + position].weight - part * zero * (Double(depth - position) / Double(depth + 1))
            } else if zero != 0 {
                total += (self.path[start + position].weight / zero) / (Double(depth - position) / Double(depth + 1))
            }
            position -= 1
        }
        return total
    }
}
