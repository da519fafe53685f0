import ChurnModel
import ChurnTesting
import Testing

@Suite("CSV parsing", .onComputeThreads)
struct CSVTableTests {
    @Test("quotes, escaped quotes, embedded commas and line breaks, CRLF, no final newline")
    func rfc4180() throws {
        let table = try CSVTable(parsing: "id, name ,note\r\n1,\"a, b\",\"say \"\"hi\"\"\"\r\n2,x,\"two\nlines\"\n3,,")
        #expect(table.header == ["id", "name", "note"])
        #expect(table.rows == [["1", "a, b", "say \"hi\""], ["2", "x", "two\nlines"], ["3", "", ""]])
        #expect(table.column("note") == 2)
        #expect(CSVTable.escaped("a,b") == "\"a,b\"")
        #expect(CSVTable.escaped("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVTable.escaped("plain") == "plain")
    }

    @Test("blank lines are skipped; ragged rows, open quotes and empty files are refused with the line")
    func refusals() throws {
        #expect(try CSVTable(parsing: "a,b\n\n1,2\n\n").rows == [["1", "2"]])
        do {
            _ = try CSVTable(parsing: "a,b\n1,2\n3\n")
            Issue.record("a ragged row was accepted")
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.message.hasPrefix("line 3:"))
        }
        #expect(throws: ModelError.self) { try CSVTable(parsing: "a,b\n1,\"open\n") }
        #expect(throws: ModelError.self) { try CSVTable(parsing: "") }
    }
}
