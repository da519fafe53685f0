import ChurnWire

/// A score answer as a person reads it on a terminal.
enum ScoreAnswerText {
    static func render(_ answer: ScoreResponse) -> String {
        var lines: [String] = []
        let group = answer.productGroup.isEmpty ? "" : " · \(answer.productGroup)"
        lines.append("CRM \(answer.crm)\(group)")
        lines.append("  churn probability  \(percent(answer.probability))   risk band \(answer.riskBand)")
        lines.append("  rules fired        \(ruleNames(answer.ruleFlags))")
        for (index, driver) in answer.drivers.enumerated() {
            let label = index == 0 ? "  drivers          " : "                   "
            let sign = driver.contribution >= 0 ? "+" : ""
            lines.append(
                "\(label)  \(driver.name) = \(number(driver.value))  (\(sign)\(number(driver.contribution)) log-odds, \(driver.contribution >= 0 ? "raises" : "lowers") risk)"
            )
        }
        let model = answer.model
        lines.append("  model              \(model.name) v\(model.version) (\(model.alias))")
        return lines.joined(separator: "\n")
    }

    static func ruleNames(_ flags: UInt32) -> String {
        let names = RuleFlag.allNamed.filter { flags & (1 << $0.rawValue) != 0 }.map { "\($0)" }
        return names.isEmpty ? "none" : names.joined(separator: ", ")
    }

    static func percent(_ probability: Double) -> String {
        let tenths = Int((probability * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10) %"
    }

    static func number(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
