import ChurnTesting
import Testing

@testable import ChurnTraining

@Suite(.onComputeThreads) struct FeatureBinsTests {
    @Test func fewDistinctValuesGetABinEachAndBoundsMatchTheTreeRule() {
        let column: [Double] = [3, 1, 2, 2, .nan, 1, 5]
        let bins = FeatureBins(columns: [column], maxBins: 255)
        #expect(bins.upperBounds[0] == [1.5, 2.5, 4, .greatestFiniteMagnitude])
        #expect(bins.hasMissing[0])
        #expect(bins.bins[0] == [2, 0, 1, 1, 4, 0, 3])
        // "bin <= b goes left" is "value <= upperBounds[b] goes left" for every value and bin.
        for value in [1.0, 2, 3, 5] {
            let bin = FeatureBins.bin(of: value, bounds: bins.upperBounds[0], hasMissing: true)
            for split in 0..<3 { #expect((bin <= split) == (value <= bins.upperBounds[0][split])) }
        }
    }

    @Test func manyDistinctValuesAreQuantileBinned() {
        let column = (0..<10_000).map { Double($0) }
        let bins = FeatureBins(columns: [column], maxBins: 16)
        #expect(bins.upperBounds[0].count == 16)
        #expect(!bins.hasMissing[0])
        var counts = [Int](repeating: 0, count: 16)
        for bin in bins.bins[0] { counts[Int(bin)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 625) <= 2 }, "\(counts)")
    }

    @Test func missingWithoutTrainingMissingIsReadAsZero() {
        let bounds = FeatureBins.upperBounds(of: [-1, 1, 2], maxBins: 255)
        #expect(
            FeatureBins.bin(of: .nan, bounds: bounds, hasMissing: false)
                == FeatureBins.bin(of: 0, bounds: bounds, hasMissing: false)
        )
    }

    @Test func allMissingAndAdjacentDoublesAreHandled() {
        #expect(FeatureBins.upperBounds(of: [.nan, .nan], maxBins: 255) == [.greatestFiniteMagnitude])
        let low = 1.0
        let bound = FeatureBins.between(low, low.nextUp)
        #expect(bound >= low && bound < low.nextUp)
    }
}
