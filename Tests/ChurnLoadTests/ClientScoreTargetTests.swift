import ChurnClient
import ChurnLoad
import ChurnTesting
import ChurnTransport
import ChurnWire
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// ``ClientScoreTarget``: calls through ``ChurnClient`` over real TLS sockets on 127.0.0.1,
/// against a server that answers every call with one fixed answer.
@Suite("ChurnClient target", .serialized)
struct ClientScoreTargetTests {
    static func target(port: Int, tls: ClientTLS, retry: RetryPolicy = RetryPolicy()) -> ClientScoreTarget {
        ClientScoreTarget(
            name: "churnclient unary",
            client: ChurnClient(
                configuration: ChurnClientConfiguration(
                    target: .init(host: "127.0.0.1", port: port),
                    tls: tls,
                    retry: retry
                ),
                logger: quietLogger()
            ),
            requests: ScoreRequests(rows: FeatureRows.demo(count: 16), schemaHash: 0xF100_F100),
            timeout: .seconds(2)
        )
    }

    /// 100 calls/s for a second, with no warm-up: every call the server sees is one of the run's.
    static let hundredPerSecond = LoadRunConfiguration(
        mode: .open(ArrivalSchedule(rate: 100, process: .constant)),
        duration: .seconds(1),
        warmup: .zero
    )

    @Test("every call is a task awaiting the client's score, and every answer counts")
    func answersCount() async throws {
        let result = try await withFixedAnswerServerPort { port, tls in
            let target = Self.target(port: port, tls: tls)
            #expect(!((target as any LoadTarget) is any EventLoopLoadTarget))
            let result = await LoadRunner.run(target, Self.hundredPerSecond)
            await target.close()
            return result
        }
        #expect(result.failed == 0, "failures: \(result.failures)")
        #expect(result.sent >= 90)
        #expect(result.answered == result.sent)
        #expect(result.rows == result.answered)
    }

    @Test("a refused call counts once under its code, however often the client tried it")
    func refusedCallsCountOnce() async throws {
        // The server counts the calls it answers.
        let served = NIOLockedValueBox(0)
        let countServed: @Sendable (ContinuousClock.Instant) -> Duration = { _ in
            served.withLockedValue { $0 += 1 }
            return .zero
        }
        let result = try await withFixedAnswerServerPort(
            answer: FixedAnswers.error(.overloaded, message: "busy"),
            delay: countServed
        ) { port, tls in
            // OVERLOADED is retried: three tries, a millisecond apart, then the call fails.
            let target = Self.target(
                port: port,
                tls: tls,
                retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(1))
            )
            let result = await LoadRunner.run(target, Self.hundredPerSecond)
            await target.close()
            return result
        }
        #expect(result.answered == 0)
        #expect(result.sent >= 90)
        #expect(result.failures == ["OVERLOADED": result.sent], "failures: \(result.failures)")
        #expect(served.withLockedValue { $0 } == 3 * result.sent)
    }
}
