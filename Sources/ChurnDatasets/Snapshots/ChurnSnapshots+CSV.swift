import ChurnModel

extension ChurnSnapshots.Row {
    /// The CSV header of rows: `id,crm,product_group,period,` the derived features, `churned`.
    /// It is what `churnguard train`, `model predict` and `model eval` read.
    public static var csvHeader: String {
        (["id", "crm", "product_group", "period"] + FeatureDerivation.schema.features.map(\.name) + ["churned"])
            .joined(separator: ",")
    }

    /// The row as a CSV line: id `crm/product_group/YYYY-MM`, missing features as empty cells,
    /// numbers in their shortest exact form.
    public var csvLine: String {
        let period = MonthlyActivity.text(ofMonth: self.period)
        let id = CSVTable.escaped("\(self.crm)/\(self.productGroup)/\(period)")
        var line = "\(id),\(self.crm),\(CSVTable.escaped(self.productGroup)),\(period)"
        for value in self.features {
            line += value.isNaN ? "," : ",\(value)"
        }
        line += ",\(self.churned)"
        return line
    }
}
