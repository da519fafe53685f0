import ChurnModel
import ChurnTesting
import Testing

@Suite("Business rules", .onComputeThreads)
struct BusinessRulesTests {
    @Test("defaults are the documented thresholds")
    func defaults() {
        let rules = BusinessRules.defaults
        #expect(rules.inactivityDays == 90)
        #expect(rules.revenueDecrease == 0.10)
        #expect(rules.transactionDecrease == 0.10)
        #expect(rules.satisfactionFloor == 2.5)
        #expect(BusinessRules.defaults { $0.inactivityDays = 60 }.inactivityDays == 60)
    }

    @Test(
        "each rule fires at its threshold and not just below it",
        arguments: [
            (90.0, 0.0, 0.0, 4.0, BusinessRules.Flags.inactive),
            (89.0, 0.0, 0.0, 4.0, []),
            (0, -0.10, 0, 4, .revenueDecrease),
            (0, -0.0999, 0, 4, []),
            (0, 0, -0.10, 4, .transactionDecrease),
            (0, 0, -0.05, 4, []),
            (0, 0, 0, 2.49, .lowSatisfaction),
            (0, 0, 0, 2.5, []),
            (200, -0.5, -0.5, 1, [.inactive, .revenueDecrease, .transactionDecrease, .lowSatisfaction]),
        ] as [(Double, Double, Double, Double, BusinessRules.Flags)]
    )
    func thresholds(days: Double, revenue: Double, kag: Double, satisfaction: Double, expected: BusinessRules.Flags) {
        let flags = BusinessRules.defaults.evaluate(
            daysInactive: days,
            revenueChange: revenue,
            kagChange: kag,
            satisfaction: satisfaction
        )
        #expect(flags == expected)
    }

    @Test("missing inputs fire nothing, and the bits are the wire's RuleFlag numbers")
    func missingAndBits() {
        #expect(
            BusinessRules.defaults.evaluate(
                daysInactive: .nan,
                revenueChange: .nan,
                kagChange: .nan,
                satisfaction: .nan
            ) == []
        )
        #expect(BusinessRules.Flags.inactive.rawValue == 1)
        #expect(BusinessRules.Flags.revenueDecrease.rawValue == 2)
        #expect(BusinessRules.Flags.transactionDecrease.rawValue == 4)
        #expect(BusinessRules.Flags.lowSatisfaction.rawValue == 8)
    }
}
