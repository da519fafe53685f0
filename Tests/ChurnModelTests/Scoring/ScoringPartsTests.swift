import ChurnModel
import ChurnTesting
import Testing

@Suite("Risk bands and drivers", .onComputeThreads)
struct ScoringPartsTests {
    @Test("bands change exactly at their cut-offs")
    func bands() throws {
        let bands = try RiskBands(medium: 0.2, high: 0.5, critical: 0.8)
        #expect(bands.band(of: 0) == .low)
        #expect(bands.band(of: 0.1999) == .low)
        #expect(bands.band(of: 0.2) == .medium)
        #expect(bands.band(of: 0.5) == .high)
        #expect(bands.band(of: 0.8) == .critical)
        #expect(bands.band(of: 1) == .critical)
        #expect(bands.band(of: .nan) == .low)
        #expect(RiskBand.low < RiskBand.critical)
    }

    @Test("cut-offs that do not rise strictly within (0, 1) are refused")
    func badCutoffs() {
        for (medium, high, critical) in [
            (0.5, 0.5, 0.8), (0, 0.5, 0.8), (0.2, 0.9, 0.8), (0.2, 0.5, 1.0), (Double.nan, 0.5, 0.8),
        ] {
            #expect(throws: ModelError.self) { try RiskBands(medium: medium, high: high, critical: critical) }
        }
    }

    @Test("top drivers: largest |contribution| first, ties to the lower index, zeros and NaN skipped")
    func topDrivers() {
        let contributions = [0.1, -0.5, 0.0, 0.5, .nan, -0.05, 0.3, 9.9]  // last: expected value slot
        let values = [1.0, 2, 3, 4, 5, 6, 7]
        let top = Driver.top(3, contributions: contributions, values: values)
        #expect(top.map(\.feature) == [1, 3, 6])
        #expect(top[0].contribution == -0.5 && top[0].value == 2)
        #expect(Driver.top(0, contributions: contributions, values: values).isEmpty)
        #expect(Driver.top(10, contributions: contributions, values: values).map(\.feature) == [1, 3, 6, 0, 5])
    }
}
