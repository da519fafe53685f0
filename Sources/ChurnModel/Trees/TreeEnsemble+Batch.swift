extension TreeEnsemble {
    /// Rows scored together by ``rawScores(rows:into:)``: their values (64 rows × a few dozen
    /// features) and one tree's splits stay in L1 while the block walks the tree.
    @usableFromInline
    static var batchBlock: Int { 64 }

    /// The raw scores of many rows at once: `rows` holds `scores.count` rows of `featureCount`
    /// values each, row after row; `scores[i]` receives row `i`'s score, equal to the bit to
    /// ``rawScore(_:)-(UnsafeBufferPointer<Double>)`` (each row's leaves are added in tree order).
    ///
    /// Faster than scoring row by row: a block of rows walks one tree at a time, so the tree's
    /// splits are read from L1 instead of L2, and eight rows walk it in lockstep so that their
    /// chains of dependent loads overlap.
    ///
    /// - Throws: ``ModelError/Code/featureCountMismatch`` unless `rows.count` is
    ///   `scores.count × featureCount`.
    @inlinable
    public func rawScores(
        rows: UnsafeBufferPointer<Double>,
        into scores: UnsafeMutableBufferPointer<Double>
    ) throws(ModelError) {
        guard rows.count == scores.count * self.featureCount else {
            throw ModelError(
                .featureCountMismatch,
                "\(rows.count) values are not \(scores.count) rows of \(self.featureCount) features"
            )
        }
        guard let base = rows.baseAddress, !scores.isEmpty else { return }
        self.nodes.withUnsafeBufferPointer { nodes in
            self.leafValues.withUnsafeBufferPointer { leaves in
                self.categoryBits.withUnsafeBufferPointer { bits in
                    self.roots.withUnsafeBufferPointer { roots in
                        var start = 0
                        while start < scores.count {
                            let count = min(Self.batchBlock, scores.count - start)
                            Self.scoreBlock(
                                base + start * self.featureCount,
                                count: count,
                                width: self.featureCount,
                                into: UnsafeMutableBufferPointer(rebasing: scores[start..<(start + count)]),
                                roots: roots,
                                nodes: nodes,
                                leaves: leaves,
                                bits: bits
                            )
                            start += count
                        }
                    }
                }
            }
        }
        if self.averageOutput {
            let trees = Double(self.roots.count)
            for index in scores.indices { scores[index] /= trees }
        }
    }

    /// Scores up to ``batchBlock`` rows, tree by tree.
    @inlinable
    static func scoreBlock(
        _ block: UnsafePointer<Double>,
        count: Int,
        width: Int,
        into sums: UnsafeMutableBufferPointer<Double>,
        roots: UnsafeBufferPointer<Int32>,
        nodes: UnsafeBufferPointer<TreeNode>,
        leaves: UnsafeBufferPointer<Double>,
        bits: UnsafeBufferPointer<UInt32>
    ) {
        for index in 0..<count { sums[index] = 0 }
        for root in roots {
            var row = 0
            while row + 8 <= count {
                let r = block + row * width
                var walks = (root, root, root, root, root, root, root, root)
                while (walks.0 & walks.1 & walks.2 & walks.3 & walks.4 & walks.5 & walks.6 & walks.7) >= 0 {
                    walks.0 = Self.step(walks.0, row: r, nodes: nodes, bits: bits)
                    walks.1 = Self.step(walks.1, row: r + width, nodes: nodes, bits: bits)
                    walks.2 = Self.step(walks.2, row: r + 2 * width, nodes: nodes, bits: bits)
                    walks.3 = Self.step(walks.3, row: r + 3 * width, nodes: nodes, bits: bits)
                    walks.4 = Self.step(walks.4, row: r + 4 * width, nodes: nodes, bits: bits)
                    walks.5 = Self.step(walks.5, row: r + 5 * width, nodes: nodes, bits: bits)
                    walks.6 = Self.step(walks.6, row: r + 6 * width, nodes: nodes, bits: bits)
                    walks.7 = Self.step(walks.7, row: r + 7 * width, nodes: nodes, bits: bits)
                }
                sums[row] += leaves[Int(~walks.0)]
                sums[row + 1] += leaves[Int(~walks.1)]
                sums[row + 2] += leaves[Int(~walks.2)]
                sums[row + 3] += leaves[Int(~walks.3)]
                sums[row + 4] += leaves[Int(~walks.4)]
                sums[row + 5] += leaves[Int(~walks.5)]
                sums[row + 6] += leaves[Int(~walks.6)]
                sums[row + 7] += leaves[Int(~walks.7)]
                row += 8
            }
            while row < count {
                var index = root
                let r = block + row * width
                while index >= 0 {
                    let node = nodes[Int(index)]
                    index = Self.child(of: node, value: r[Int(node.feature)], bits: bits)
                }
                sums[row] += leaves[Int(~index)]
                row += 1
            }
        }
    }

    /// One lockstep step of a row read through a pointer: a walk on a split moves to the child;
    /// a walk on a leaf stays.
    @inlinable
    @inline(__always)
    static func step(
        _ index: Int32,
        row: UnsafePointer<Double>,
        nodes: UnsafeBufferPointer<TreeNode>,
        bits: UnsafeBufferPointer<UInt32>
    ) -> Int32 {
        guard index >= 0 else { return index }
        let node = nodes[Int(index)]
        return Self.child(of: node, value: row[Int(node.feature)], bits: bits)
    }
}
