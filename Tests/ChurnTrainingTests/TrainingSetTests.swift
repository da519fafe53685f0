import ChurnModel
import ChurnTesting
import ChurnTraining
import Testing

@Suite(.onComputeThreads) struct TrainingSetTests {
    @Test func readsNumericCategoricalMissingAndPeriods() throws {
        let table = try CSVTable(
            parsing: """
                id,period,x,group,churned
                a,2025-01,1.5,tolls,0
                b,2025-02,,fuel,1
                c,300,NaN,,0
                """
        )
        let set = try TrainingSet(
            table: table,
            features: ["x", "group"],
            labelColumn: "churned",
            periodColumn: "period"
        )
        #expect(set.rowCount == 3)
        #expect(set.schema.features[0].kind == .numeric)
        #expect(set.schema.features[1].kind == .categorical(vocabulary: ["fuel", "tolls"]))
        #expect(set.columns[0][0] == 1.5)
        #expect(set.columns[0][1].isNaN && set.columns[0][2].isNaN)
        #expect(set.columns[1][0] == 1 && set.columns[1][1] == 0 && set.columns[1][2].isNaN)
        #expect(set.labels == [0, 1, 0])
        #expect(set.periods == [2025 * 12, 2025 * 12 + 1, 300])
    }

    @Test func badInputNamesTheProblem() throws {
        let badLabel = try CSVTable(parsing: "period,x,churned\n2025-01,1,yes\n")
        #expect {
            try TrainingSet(table: badLabel, features: ["x"], labelColumn: "churned", periodColumn: "period")
        } throws: { error in
            (error as? TrainingError)?.message.contains("line 2, column 'churned'") ?? false
        }
        let badPeriod = try CSVTable(parsing: "period,x,churned\n2025-13,1,1\n")
        #expect {
            try TrainingSet(table: badPeriod, features: ["x"], labelColumn: "churned", periodColumn: "period")
        } throws: { error in
            (error as? TrainingError)?.message.contains("YYYY-MM") ?? false
        }
        let missing = try CSVTable(parsing: "period,x,churned\n2025-01,1,1\n")
        #expect {
            try TrainingSet(table: missing, features: ["x", "y"], labelColumn: "churned", periodColumn: "period")
        } throws: { error in
            (error as? TrainingError)?.message.contains("'y'") ?? false
        }
        #expect(throws: TrainingError.self) {
            try TrainingSet(table: missing, features: ["x", "churned"], labelColumn: "churned", periodColumn: "period")
        }
    }
}
