/// Reads LightGBM's text model format line by line: the header's `key=value` lines up to the
/// first `Tree=`, then one block per tree up to `end of trees`. What follows (importances,
/// parameters) is not needed to score and is not read.
struct LightGBMTextParser {
    struct Header {
        var featureCount: Int
        var featureNames: [String]
        var featureInfos: [LightGBMModel.FeatureInfo]
        var objective: String
        var link: OutputLink
        var averageOutput: Bool
    }

    private let lines: [Substring]
    private var index = 0

    init(text: String) {
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
    }

    private func error(_ message: String, line: Int? = nil) -> ModelError {
        ModelError(.malformedModel, "line \((line ?? self.index) + 1): \(message)")
    }

    /// The `key=value` lines from the current one to the next blank line or `Tree=` line.
    private mutating func readBlock(stopAtTree: Bool) -> [String: (value: Substring, line: Int)] {
        var block: [String: (value: Substring, line: Int)] = [:]
        while self.index < self.lines.count {
            let line = self.lines[self.index]
            if line.isEmpty || (stopAtTree && line.hasPrefix("Tree=")) || line == "end of trees" { break }
            if let equals = line.firstIndex(of: "=") {
                block[String(line[..<equals])] = (line[line.index(after: equals)...], self.index)
            } else {
                block[String(line)] = ("", self.index)
            }
            self.index += 1
        }
        return block
    }

    mutating func parseHeader() throws(ModelError) -> Header {
        guard self.lines.first == "tree" else {
            throw self.error(
                "expected 'tree' (a LightGBM text model starts with it), found '\(self.lines.first ?? "")'",
                line: 0
            )
        }
        self.index = 1
        var block: [String: (value: Substring, line: Int)] = [:]
        while self.index < self.lines.count, !self.lines[self.index].hasPrefix("Tree=") {
            if self.lines[self.index].isEmpty {
                self.index += 1
                continue
            }
            block.merge(self.readBlock(stopAtTree: true)) { $1 }
        }
        func required(_ key: String) throws(ModelError) -> (value: Substring, line: Int) {
            guard let entry = block[key] else { throw self.error("the header has no '\(key)='", line: 0) }
            return entry
        }
        let classes = try required("num_class")
        guard classes.value == "1" else {
            throw ModelError(
                .unsupportedModel,
                "line \(classes.line + 1): num_class=\(classes.value); only one-output models are supported"
            )
        }
        if let perIteration = block["num_tree_per_iteration"], perIteration.value != "1" {
            throw ModelError(
                .unsupportedModel,
                "line \(perIteration.line + 1): num_tree_per_iteration=\(perIteration.value); only one tree per iteration is supported"
            )
        }
        let maxFeature = try required("max_feature_idx")
        guard let maxIndex = Int(maxFeature.value), maxIndex >= 0 else {
            throw self.error("max_feature_idx '\(maxFeature.value)' is not a feature index", line: maxFeature.line)
        }
        let featureCount = maxIndex + 1
        let names = try required("feature_names")
        let featureNames = names.value.split(separator: " ").map(String.init)
        guard featureNames.count == featureCount else {
            throw self.error(
                "feature_names has \(featureNames.count) names for \(featureCount) features",
                line: names.line
            )
        }
        var featureInfos = [LightGBMModel.FeatureInfo](repeating: .unused, count: featureCount)
        if let infos = block["feature_infos"] {
            let parts = infos.value.split(separator: " ")
            guard parts.count == featureCount else {
                throw self.error(
                    "feature_infos has \(parts.count) entries for \(featureCount) features",
                    line: infos.line
                )
            }
            for (feature, part) in parts.enumerated() {
                featureInfos[feature] = try Self.featureInfo(part, line: infos.line)
            }
        }
        let objective = try required("objective")
        return Header(
            featureCount: featureCount,
            featureNames: featureNames,
            featureInfos: featureInfos,
            objective: String(objective.value),
            link: try Self.link(for: objective.value, line: objective.line),
            averageOutput: block["average_output"] != nil
        )
    }

    static func featureInfo(_ text: Substring, line: Int) throws(ModelError) -> LightGBMModel.FeatureInfo {
        if text == "none" { return .unused }
        if text.hasPrefix("["), text.hasSuffix("]") {
            let bounds = text.dropFirst().dropLast().split(separator: ":")
            guard bounds.count == 2, let low = Double(bounds[0]), let high = Double(bounds[1]), low <= high else {
                throw ModelError(.malformedModel, "line \(line + 1): feature info '\(text)' is not a range")
            }
            return .numerical(low...high)
        }
        var codes: [Int] = []
        for part in text.split(separator: ":") {
            guard let code = Int(part) else {
                throw ModelError(
                    .malformedModel,
                    "line \(line + 1): feature info '\(text)' is neither a range nor categories"
                )
            }
            codes.append(code)
        }
        return .categorical(codes)
    }

    static func link(for objective: Substring, line: Int) throws(ModelError) -> OutputLink {
        let parts = objective.split(separator: " ")
        let name = parts.first.map(String.init) ?? ""
        if parts.contains("sqrt") {
            throw ModelError(
                .unsupportedModel,
                "line \(line + 1): objective '\(objective)' (sqrt-transformed regression) is not supported"
            )
        }
        switch name {
        case "binary":
            var scale = 1.0
            if let option = parts.first(where: { $0.hasPrefix("sigmoid:") }) {
                guard let value = Double(option.dropFirst("sigmoid:".count)), value > 0 else {
                    throw ModelError(.malformedModel, "line \(line + 1): '\(option)' is not a positive sigmoid scale")
                }
                scale = value
            }
            return .sigmoid(scale: scale)
        case "cross_entropy", "xentropy":
            return .sigmoid(scale: 1)
        case "regression", "regression_l2", "regression_l1", "huber", "fair", "quantile", "mape":
            return .identity
        case "poisson", "gamma", "tweedie":
            return .exponential
        default:
            throw ModelError(
                .unsupportedModel,
                "line \(line + 1): objective '\(name)' is not supported (binary, cross_entropy, regression kinds, poisson, gamma, tweedie are)"
            )
        }
    }

    /// The next tree, or nil after the last one.
    mutating func parseTree(featureCount: Int) throws(ModelError) -> DecisionTree? {
        while self.index < self.lines.count, self.lines[self.index].isEmpty { self.index += 1 }
        guard self.index < self.lines.count, self.lines[self.index] != "end of trees" else { return nil }
        let headerLine = self.index
        guard self.lines[self.index].hasPrefix("Tree=") else {
            throw self.error("expected 'Tree=' or 'end of trees', found '\(self.lines[self.index].prefix(40))'")
        }
        let treeName = self.lines[self.index]
        self.index += 1
        let block = self.readBlock(stopAtTree: false)
        func entry(_ key: String) throws(ModelError) -> (value: Substring, line: Int) {
            guard let entry = block[key] else { throw self.error("\(treeName) has no '\(key)='", line: headerLine) }
            return entry
        }
        func list<T>(_ key: String, required: Bool = true, _ parse: (Substring) -> T?) throws(ModelError) -> [T] {
            guard let (value, line) = block[key] else {
                if required { throw self.error("\(treeName) has no '\(key)='", line: headerLine) }
                return []
            }
            var result: [T] = []
            for part in value.split(separator: " ") {
                guard let parsed = parse(part) else {
                    throw self.error("\(key): '\(part.prefix(40))' is not a valid value", line: line)
                }
                result.append(parsed)
            }
            return result
        }
        if let linear = block["is_linear"], linear.value != "0" {
            throw ModelError(
                .unsupportedModel,
                "line \(linear.line + 1): \(treeName) is a linear tree, which is not supported"
            )
        }
        let leavesEntry = try entry("num_leaves")
        guard let leaves = Int(leavesEntry.value), leaves >= 1 else {
            throw self.error("num_leaves '\(leavesEntry.value)' is not a positive count", line: leavesEntry.line)
        }
        let hasSplits = leaves > 1
        let categories = Int(block["num_cat"]?.value ?? "0") ?? -1
        guard categories >= 0 else { throw self.error("\(treeName): num_cat is not a count", line: headerLine) }
        let tree = DecisionTree(
            splitFeature: try list("split_feature", required: hasSplits) { Int($0) },
            threshold: try list("threshold", required: hasSplits) { Double($0) },
            decisionType: try list("decision_type", required: hasSplits) { UInt8($0) },
            leftChild: try list("left_child", required: hasSplits) { Int($0) },
            rightChild: try list("right_child", required: hasSplits) { Int($0) },
            leafValues: try list("leaf_value") { Double($0) },
            leafCounts: try list("leaf_count", required: false) { Double($0) },
            splitCounts: try list("internal_count", required: false) { Double($0) },
            categoryBoundaries: categories > 0 ? try list("cat_boundaries") { Int($0) } : [0],
            categoryThresholds: categories > 0 ? try list("cat_threshold") { UInt32($0) } : []
        )
        guard tree.leafValues.count == leaves else {
            throw self.error(
                "\(treeName) has \(tree.leafValues.count) leaf values for num_leaves=\(leaves)",
                line: headerLine
            )
        }
        return tree
    }
}
