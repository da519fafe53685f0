import ChurnDatasets
import ChurnModel
import ChurnTesting
import Testing

@Suite(.onComputeThreads) struct TransactionLogTests {
    @Test func readsTheCDNOWLayoutIntoMonthlyTimelines() throws {
        let log = try TransactionLog(
            text: """
                 customer_id  date number_of_cds  dollar_value
                 00001 19970101  1   11.77
                 00002 19970112  1   12.00
                 00002 19970112  5   77.00
                 00002 19970302  2   20.76
                """,
            productGroup: "cdnow"
        )
        #expect(log.transactions.count == 4)
        #expect(log.firstDay == CivilDate.days(year: 1997, month: 1, day: 1))
        #expect(log.lastDay == CivilDate.days(year: 1997, month: 3, day: 2))
        let timelines = log.timelines()
        #expect(timelines.map(\.crm) == [1, 2])
        let second = timelines[1]
        #expect(second.productGroup == "cdnow")
        #expect(
            second.activityDays == [
                CivilDate.days(year: 1997, month: 1, day: 12), CivilDate.days(year: 1997, month: 3, day: 2),
            ]
        )
        #expect(second.months.count == 2)
        #expect(second.months[0].netRevenue == 89)
        #expect(second.months[0].kagCount == 6)
        #expect(second.months[0].satisfaction.isNaN)
        #expect(second.contractStartDay == CivilDate.days(year: 1997, month: 1, day: 12))
    }

    @Test func readsCSVWithProductGroups() throws {
        let log = try TransactionLog(
            text: "crm,date,quantity,amount,product_group\n9,2024-02-29,3,30.5,tolls\n9,2024-03-01,1,10,\n",
            productGroup: "default"
        )
        #expect(log.timelines().map(\.productGroup) == ["tolls", "default"])
    }

    @Test func badLinesNameTheirLineNumber() {
        for (text, expected) in [
            ("crm,date,quantity,amount\n1,2024-02-30,1,1\n", "line 2: date"),
            ("crm,date,quantity,amount\n1,2024-02-01,1\n", "line 2: 3 fields"),
            (" 00001 19970101  x   11.77\n", "line 1: quantity"),
            (" abc\n", "no transactions"),
        ] {
            #expect {
                try TransactionLog(text: text, productGroup: "g")
            } throws: { error in
                (error as? ModelError)?.message.contains(expected) ?? false
            }
        }
    }
}
