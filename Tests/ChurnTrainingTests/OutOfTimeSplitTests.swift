import ChurnTesting
import ChurnTraining
import Testing

@Suite(.onComputeThreads) struct OutOfTimeSplitTests {
    @Test func testPeriodsAreTheLatestAndTrainingEndsAHorizonBefore() throws {
        // Periods 100…111, three rows each.
        let periods = (100...111).flatMap { [$0, $0, $0] }
        let split = try OutOfTimeSplit(
            periods: periods,
            configuration: .init(testPeriods: 2, validationPeriods: 1, horizonMonths: 3)
        )
        #expect(split.testPeriods == [110, 111])
        #expect(split.gapPeriods == [108, 109])
        #expect(split.validationPeriods == [107])
        #expect(split.trainingPeriods == Array(100...106))
        #expect(split.test.count == 6)
        #expect(split.validation.count == 3)
        #expect(split.training.count == 21)
        // No training label window (p+1 … p+3) reaches into the test periods' outcomes.
        #expect(split.training.allSatisfy { periods[$0] + 3 <= 110 })
        #expect(Set(split.training).isDisjoint(with: split.test))
    }

    @Test func tooFewPeriodsAreRefused() {
        #expect(throws: TrainingError.self) {
            try OutOfTimeSplit(
                periods: [1, 2, 3],
                configuration: .init(testPeriods: 2, validationPeriods: 1, horizonMonths: 3)
            )
        }
        #expect(throws: TrainingError.self) { try OutOfTimeSplit(periods: [5, 5], configuration: .defaults) }
    }
}
