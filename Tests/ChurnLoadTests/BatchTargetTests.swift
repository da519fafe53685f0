import ChurnLoad
import ChurnWire
import NIOCore
import Testing

/// ``BatchTarget`` over real TLS sockets on 127.0.0.1, against a server that answers every
/// stream with one fixed batch answer.
@Suite("Batch target", .serialized)
struct BatchTargetTests {
    /// A `ScoreBatch` answer frame of `rows` rows, the last of its stream.
    static func batchAnswer(rows: Int) -> ByteBuffer {
        let answer = ScoreBatchResponse(
            crms: (0..<rows).map { UInt64(2_000_000 + $0) },
            probabilities: Array(repeating: 0.25, count: rows)
        )
        var encoder = FrameEncoder(peerAcceptsCompression: false)
        var buffer = ByteBuffer()
        encoder.encode(answer, flags: .end, into: &buffer)
        return buffer
    }

    static func target(_ connections: ConnectionSet, framesPerCall: Int) -> BatchTarget {
        BatchTarget(
            name: "batch",
            connections: connections,
            rows: FeatureRows.demo(count: 32),
            schemaHash: 0xF100_F100,
            rowsPerFrame: 10,
            framesPerCall: framesPerCall
        )
    }

    @Test(
        "one-frame calls run on the event loops, several-frame calls on tasks; both count every answered row",
        arguments: [1, 3]
    )
    func answersAndRows(framesPerCall: Int) async throws {
        let result = try await withFixedAnswerServer(answer: Self.batchAnswer(rows: 10)) { connections in
            let target = Self.target(connections, framesPerCall: framesPerCall)
            #expect((target as any LoadTarget) is any EventLoopLoadTarget)
            return await LoadRunner.run(
                target,
                LoadRunConfiguration(
                    mode: .open(ArrivalSchedule(rate: 100, process: .constant)),
                    duration: .seconds(2),
                    warmup: .milliseconds(300)
                )
            )
        }
        #expect(result.failed == 0, "failures: \(result.failures)")
        #expect(result.sent >= 190)
        #expect(result.answered == result.sent)
        #expect(result.rows == result.answered * 10)
    }

    @Test("a refused one-frame call counts under its code and the run goes on")
    func refusedCallsCounted() async throws {
        let result = try await withFixedAnswerServer(answer: FixedAnswers.error(.overloaded, message: "busy")) {
            connections in
            await LoadRunner.run(
                Self.target(connections, framesPerCall: 1),
                LoadRunConfiguration(
                    mode: .open(ArrivalSchedule(rate: 100, process: .constant)),
                    duration: .seconds(1),
                    warmup: .milliseconds(200)
                )
            )
        }
        #expect(result.answered == 0)
        #expect(result.sent >= 90)
        #expect(result.failures == ["OVERLOADED": result.sent], "failures: \(result.failures)")
    }
}
