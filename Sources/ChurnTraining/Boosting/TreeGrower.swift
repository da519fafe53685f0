import ChurnModel

/// Grows one regression tree on gradients and Hessians, leaf-wise (best-first) from histograms,
/// as LightGBM does: the leaf whose best split gains most is split next, until `numLeaves` leaves
/// or no split gains.
///
/// Split gain is `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`, a leaf's output `−G/(H+λ)` times
/// the learning rate. Missing values are tried on both sides of every split and sent to the
/// better one (`default_left`). A child's histogram is built from its rows only for the smaller
/// child; the larger one's is the parent's minus it.
struct TreeGrower {
    struct Parameters {
        var numLeaves: Int
        var minDataInLeaf: Int
        var minSumHessianInLeaf: Double
        var lambdaL2: Double
        var minGainToSplit: Double
        var learningRate: Double
    }

    /// The grown tree, each split's gain, and which leaf every training row ended in.
    struct Grown {
        var tree: DecisionTree
        var splitGains: [(feature: Int, gain: Double)]
        /// Row indices, grouped by leaf: leaf `l` holds `rows[leafRanges[l]]`.
        var rows: [Int32]
        var leafRanges: [Range<Int>]
    }

    struct Split {
        var feature = -1
        var bin = 0
        var defaultLeft = false
        var gain = -Double.infinity
        var leftGradient = 0.0
        var leftHessian = 0.0
        var leftCount = 0
    }

    struct Leaf {
        var range: Range<Int>
        var gradient: Double
        var hessian: Double
        var histogram: [Double]
        var best: Split
        var depth: Int
    }

    let bins: FeatureBins
    let parameters: Parameters
    /// Where each feature's bins start in a histogram (3 values per bin: gradient, Hessian, count).
    let offsets: [Int]
    let histogramSize: Int

    init(bins: FeatureBins, parameters: Parameters) {
        self.bins = bins
        self.parameters = parameters
        var offsets: [Int] = []
        var size = 0
        for feature in bins.upperBounds.indices {
            offsets.append(size)
            size += 3 * bins.totalBins(feature)
        }
        self.offsets = offsets
        self.histogramSize = size
    }

    /// Grows a tree over `rows` (indices into the binned data).
    func grow(rows initialRows: [Int32], gradients: [Double], hessians: [Double]) -> Grown {
        var rows = initialRows
        var gradientSum = 0.0
        var hessianSum = 0.0
        for row in rows {
            gradientSum += gradients[Int(row)]
            hessianSum += hessians[Int(row)]
        }
        let rootHistogram = self.histogram(of: rows[...], gradients: gradients, hessians: hessians)
        var leaves = [
            Leaf(
                range: 0..<rows.count,
                gradient: gradientSum,
                hessian: hessianSum,
                histogram: rootHistogram,
                best: Split(),
                depth: 0
            )
        ]
        leaves[0].best = self.bestSplit(leaves[0])

        var tree = DecisionTree(leafValues: [0])
        var parents: [(node: Int, left: Bool)?] = [nil]
        var splitGains: [(feature: Int, gain: Double)] = []
        while leaves.count < self.parameters.numLeaves {
            guard let chosen = leaves.indices.max(by: { leaves[$0].best.gain < leaves[$1].best.gain }),
                leaves[chosen].best.gain > self.parameters.minGainToSplit
            else { break }
            let parent = leaves[chosen]
            let split = parent.best
            let hasMissing = self.bins.hasMissing[split.feature]
            let missingBin = self.bins.presentBins(split.feature)

            // Partition the parent's rows: left first, in their original order.
            let column = self.bins.bins[split.feature]
            var left: [Int32] = []
            var right: [Int32] = []
            left.reserveCapacity(split.leftCount)
            right.reserveCapacity(parent.range.count - split.leftCount)
            for row in rows[parent.range] {
                let bin = Int(column[Int(row)])
                let goesLeft = hasMissing && bin == missingBin ? split.defaultLeft : bin <= split.bin
                if goesLeft { left.append(row) } else { right.append(row) }
            }
            let middle = parent.range.lowerBound + left.count
            rows.replaceSubrange(parent.range, with: left + right)

            // Record the split as LightGBM's Tree::Split does: the left child keeps the leaf's
            // index, the right child is a new leaf.
            let node = tree.splitFeature.count
            let newLeaf = leaves.count
            tree.splitFeature.append(split.feature)
            tree.threshold.append(self.bins.upperBounds[split.feature][split.bin])
            let missingType: UInt8 = hasMissing ? 2 : 0
            tree.decisionType.append((missingType << 2) | (split.defaultLeft ? 2 : 0))
            tree.leftChild.append(~chosen)
            tree.rightChild.append(~newLeaf)
            tree.splitCounts.append(Double(parent.range.count))
            if let (parentNode, isLeft) = parents[chosen] {
                if isLeft { tree.leftChild[parentNode] = node } else { tree.rightChild[parentNode] = node }
            }
            parents[chosen] = (node, true)
            parents.append((node, false))
            splitGains.append((split.feature, split.gain))

            // Histograms: build the smaller child's, subtract for the larger.
            let leftRange = parent.range.lowerBound..<middle
            let rightRange = middle..<parent.range.upperBound
            let smallIsLeft = leftRange.count <= rightRange.count
            let small = self.histogram(
                of: rows[smallIsLeft ? leftRange : rightRange],
                gradients: gradients,
                hessians: hessians
            )
            var large = parent.histogram
            for index in large.indices { large[index] -= small[index] }
            var leftLeaf = Leaf(
                range: leftRange,
                gradient: split.leftGradient,
                hessian: split.leftHessian,
                histogram: smallIsLeft ? small : large,
                best: Split(),
                depth: parent.depth + 1
            )
            var rightLeaf = Leaf(
                range: rightRange,
                gradient: parent.gradient - split.leftGradient,
                hessian: parent.hessian - split.leftHessian,
                histogram: smallIsLeft ? large : small,
                best: Split(),
                depth: parent.depth + 1
            )
            // The children's sums are the split's (as LightGBM keeps them), not a fresh pass.
            leftLeaf.best = self.bestSplit(leftLeaf)
            rightLeaf.best = self.bestSplit(rightLeaf)
            leaves[chosen] = leftLeaf
            leaves.append(rightLeaf)
        }

        tree.leafValues = leaves.map { self.output(gradient: $0.gradient, hessian: $0.hessian) }
        tree.leafCounts = leaves.map { Double($0.range.count) }
        return Grown(tree: tree, splitGains: splitGains, rows: rows, leafRanges: leaves.map(\.range))
    }

    /// A leaf's output: the Newton step times the learning rate.
    func output(gradient: Double, hessian: Double) -> Double {
        -gradient / (hessian + self.parameters.lambdaL2) * self.parameters.learningRate
    }

    /// Gradient, Hessian and count per bin of every feature over `rows`.
    func histogram(of rows: ArraySlice<Int32>, gradients: [Double], hessians: [Double]) -> [Double] {
        var histogram = [Double](repeating: 0, count: self.histogramSize)
        histogram.withUnsafeMutableBufferPointer { histogram in
            gradients.withUnsafeBufferPointer { gradients in
                hessians.withUnsafeBufferPointer { hessians in
                    for feature in self.offsets.indices {
                        let offset = self.offsets[feature]
                        self.bins.bins[feature].withUnsafeBufferPointer { column in
                            for row in rows {
                                let index = offset + 3 * Int(column[Int(row)])
                                histogram[index] += gradients[Int(row)]
                                histogram[index + 1] += hessians[Int(row)]
                                histogram[index + 2] += 1
                            }
                        }
                    }
                }
            }
        }
        return histogram
    }

    /// The best split of a leaf over every feature and bin, missing values tried on both sides.
    func bestSplit(_ leaf: Leaf) -> Split {
        let p = self.parameters
        var best = Split()
        guard leaf.range.count >= 2 * p.minDataInLeaf else { return best }
        let lambda = p.lambdaL2
        let parentScore = leaf.gradient * leaf.gradient / (leaf.hessian + lambda)
        let total = leaf.range.count
        for feature in self.offsets.indices {
            let offset = self.offsets[feature]
            let present = self.bins.presentBins(feature)
            guard present >= 2 || self.bins.hasMissing[feature] else { continue }
            var missingGradient = 0.0
            var missingHessian = 0.0
            var missingCount = 0
            if self.bins.hasMissing[feature] {
                let index = offset + 3 * present
                missingGradient = leaf.histogram[index]
                missingHessian = leaf.histogram[index + 1]
                missingCount = Int(leaf.histogram[index + 2].rounded())
            }
            let sides = self.bins.hasMissing[feature] && missingCount > 0 ? [false, true] : [false]
            for missingLeft in sides {
                var gradientLeft = missingLeft ? missingGradient : 0
                var hessianLeft = missingLeft ? missingHessian : 0
                var countLeft = missingLeft ? missingCount : 0
                // With missing values on the right, "every present value left" is a split too.
                let lastBin = missingLeft || missingCount == 0 ? present - 1 : present
                for bin in 0..<lastBin {
                    let index = offset + 3 * bin
                    gradientLeft += leaf.histogram[index]
                    hessianLeft += leaf.histogram[index + 1]
                    countLeft += Int(leaf.histogram[index + 2].rounded())
                    let countRight = total - countLeft
                    if countLeft < p.minDataInLeaf || hessianLeft < p.minSumHessianInLeaf { continue }
                    if countRight < p.minDataInLeaf { break }
                    let gradientRight = leaf.gradient - gradientLeft
                    let hessianRight = leaf.hessian - hessianLeft
                    if hessianRight < p.minSumHessianInLeaf { break }
                    let gain =
                        gradientLeft * gradientLeft / (hessianLeft + lambda)
                        + gradientRight * gradientRight / (hessianRight + lambda) - parentScore
                    if gain > best.gain {
                        best = Split(
                            feature: feature,
                            bin: bin,
                            defaultLeft: missingLeft,
                            gain: gain,
                            leftGradient: gradientLeft,
                            leftHessian: hessianLeft,
                            leftCount: countLeft
                        )
                    }
                }
            }
        }
        return best
    }
}
