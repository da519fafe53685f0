import ChurnModel
import ChurnTesting
import Foundation
import Testing

@Suite("The committed fixtures are whole, and damaged ones are reported, not crashed on", .onComputeThreads)
struct LightGBMFixtureTests {
    @Test("every LightGBM fixture loads complete, made by the pinned LightGBM", arguments: LightGBMFixture.names)
    func complete(name: String) throws {
        let fixture = try LightGBMFixture(name)
        #expect(fixture.rows.count == 10_000)
        #expect(fixture.probability.count == 10_000 && fixture.raw.count == 10_000)
        #expect(fixture.contributions.count == 10_000)
        #expect(fixture.lightGBMVersion == "4.7.0")
        // The rows carry the edge cases the equality tests rely on.
        #expect(fixture.rows.contains { $0[1].isNaN })
        #expect(fixture.rows.contains { $0[0].isInfinite })
        #expect(fixture.rows.contains { $0[5] == 99 })
        #expect(fixture.rows.contains { $0[6] == -1 })
    }

    @Test("a truncated float64 file or rows of the wrong shape are errors with a reason")
    func damaged() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("damaged-\(UUID().uuidString).f64")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(repeating: 0, count: 20).write(to: url)
        #expect(throws: FixtureError.self) { try readFloat64s(url) }
        #expect(throws: FixtureError.self) { try rows(of: [1, 2, 3], width: 2) }
        #expect(throws: FixtureError.self) { try rows(of: [1, 2, 3, 4], width: 2, expectedRows: 3) }
        #expect(try rows(of: [1, 2, 3, 4], width: 2, expectedRows: 2) == [[1, 2], [3, 4]])
    }
}
