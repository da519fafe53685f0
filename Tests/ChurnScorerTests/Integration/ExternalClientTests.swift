import ChurnCertificates
import ChurnModel
import ChurnScorer
import ChurnTesting
import ChurnTransport
import ChurnWire
import Foundation
import NIOCore
import Testing

/// Independent HTTP/2 clients (nghttp and h2load from Debian's nghttp2-client) against the scorer:
/// the golden request bytes in, the golden answer bytes out.
@Suite("External HTTP/2 clients")
struct ExternalClientTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let vectorFile = root.appendingPathComponent("wire/vectors/rpc.json")

    /// The golden call: the demo model scoring an at-risk customer with 3 drivers.
    struct GoldenCall: Codable, Equatable {
        var name: String
        var path: String
        var request: String
        var response: String
    }

    static func computedCall() throws -> GoldenCall {
        let model = TrainedModel.demo()
        let request = ScoreRequest(
            crm: 100_003,
            productGroup: "tolls",
            featureSchemaHash: model.schema.hash,
            features: [45, 14, 8_000, -0.25, -0.2, 0.09, 0.07, 0.5, 2.1, 7],
            topDrivers: 3
        )
        let handlers = ScoringHandlers(models: ModelHolder(ServingModel(model: model, version: 1)))
        let context = RPCContext(method: ScoringService.score.descriptor, deadline: nil, limits: .defaults)
        let response = try handlers.score(request, context: context)
        var encoder = FrameEncoder()
        var requestFrame = ByteBuffer()
        var responseFrame = ByteBuffer()
        encoder.encode(request, flags: .end, into: &requestFrame)
        encoder.encode(response, flags: .end, into: &responseFrame)
        return GoldenCall(
            name: "score-demo-model-at-risk-customer",
            path: ScoringService.score.path,
            request: Hex.encode(requestFrame.readableBytesView),
            response: Hex.encode(responseFrame.readableBytesView)
        )
    }

    static func goldenCall() throws -> GoldenCall {
        let computed = try computedCall()
        if ProcessInfo.processInfo.environment["CHURN_WRITE_VECTORS"] == "1" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try (encoder.encode([computed]) + Data("\n".utf8)).write(to: Self.vectorFile)
        }
        let stored = try JSONDecoder().decode([GoldenCall].self, from: Data(contentsOf: Self.vectorFile))
        return try #require(stored.first)
    }

    @Test("the demo model's answer to the golden request is the golden answer, byte for byte")
    func vectorIsCurrent() throws {
        #expect(try Self.computedCall() == Self.goldenCall())
    }

    @Test("nghttp, with a client certificate, POSTs the golden request and gets the golden answer")
    func nghttp() async throws {
        let golden = try Self.goldenCall()
        let nghttp = try BuiltExecutable(installed: "nghttp")
        let shell = try BuiltExecutable(installed: "sh")
        try await withTestScorer(mutualTLS: true) { port, pki, _ in
            let body = pki.directory + "/request.bin"
            try Data(Hex.decode(golden.request)!).write(to: URL(fileURLWithPath: body))
            let output = pki.directory + "/response.bin"
            // The body goes to stdout, nghttp's own messages to stderr: keep them apart.
            let command = [
                nghttp.path, "--cert", pki.files.clientCertificate, "--key", pki.files.clientPrivateKey,
                "-d", body, "-H", "'content-type: application/churn+wire'",
                "https://127.0.0.1:\(port)\(golden.path)", ">", output,
            ].joined(separator: " ")
            let outcome = try await shell.run(["-c", command])
            #expect(outcome.status == 0, "nghttp: \(outcome.output)")
            let received = (try? Data(contentsOf: URL(fileURLWithPath: output))) ?? Data()
            #expect(Hex.encode(received) == golden.response, "nghttp: \(outcome.output)")
        }
    }

    @Test("h2load sends the golden request 2,000 times on 2 connections: every answer is 200 and golden-sized")
    func h2load() async throws {
        let golden = try Self.goldenCall()
        let h2load = try BuiltExecutable(installed: "h2load")
        try await withTestScorer(mutualTLS: false) { port, pki, _ in
            let body = pki.directory + "/request.bin"
            try Data(Hex.decode(golden.request)!).write(to: URL(fileURLWithPath: body))
            let outcome = try await h2load.run([
                "-n", "2000", "-c", "2", "-m", "16", "-d", body, "-H", "content-type: application/churn+wire",
                "https://127.0.0.1:\(port)\(golden.path)",
            ])
            #expect(outcome.status == 0, "\(outcome.output)")
            #expect(outcome.output.contains("2000 succeeded, 0 failed, 0 errored"), "\(outcome.output)")
            #expect(outcome.output.contains("status codes: 2000 2xx"), "\(outcome.output)")
            // Response bodies: every one exactly as long as the golden answer.
            let dataBytes = Self.number(before: " data", in: outcome.output)
            #expect(dataBytes == 2000 * golden.response.count / 2, "\(outcome.output)")
        }
    }

    /// The number in parentheses just before `suffix`, as h2load prints "(22000) data".
    static func number(before suffix: String, in text: String) -> Int? {
        guard let range = text.range(of: ")\(suffix)") else { return nil }
        let digits = text[..<range.lowerBound].reversed().prefix { $0.isNumber }
        return Int(String(digits.reversed()))
    }
}
