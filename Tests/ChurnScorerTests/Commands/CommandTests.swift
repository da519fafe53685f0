import ChurnTesting
import Foundation
import Testing

/// The `churnguard` commands as a person runs them.
@Suite("churnguard certs, scorer and score")
struct CommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func churnguard() throws -> BuiltExecutable {
        try BuiltExecutable("churnguard", packageRoot: Self.root)
    }

    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "churnguard-cmd-\(UUID().uuidString)"
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("certs dev writes keys 0600 and certificates 0644 into a 0700 folder, and refuses to overwrite")
    func certsDev() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let made = try await Self.churnguard().run(["certs", "dev", "--out", directory])
        #expect(made.status == 0, "\(made.output)")
        #expect(try Self.mode(directory) == 0o700)
        for key in ["ca.key", "node.key", "client.key"] {
            #expect(try Self.mode("\(directory)/\(key)") == 0o600, "\(key)")
        }
        for certificate in ["ca.pem", "node.pem", "client.pem"] {
            #expect(try Self.mode("\(directory)/\(certificate)") == 0o644, "\(certificate)")
        }
        let again = try await Self.churnguard().run(["certs", "dev", "--out", directory])
        #expect(again.status == 1)
        #expect(again.output.contains("--force"))
        #expect(try await Self.churnguard().run(["certs", "dev", "--out", directory, "--force"]).status == 0)
    }

    @Test("a scorer started from the command line answers `churnguard score`, then drains and exits 0 on SIGTERM")
    func scorerLifecycle() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let churnguard = try Self.churnguard()
        #expect(try await churnguard.run(["certs", "dev", "--out", directory]).status == 0)
        let portFile = "\(directory)/port"
        let scorer = Process()
        scorer.executableURL = URL(fileURLWithPath: churnguard.path)
        scorer.arguments = ["scorer", "--tls-dir", directory, "--port", "0", "--port-file", portFile]
        let log = Pipe()
        scorer.standardError = log
        scorer.standardOutput = log
        try scorer.run()
        defer { if scorer.isRunning { scorer.terminate() } }
        let listening = try #require(try await waitForPortFile(portFile, of: scorer, limit: .seconds(10)))
        let answer = try await churnguard.run([
            "score", "--address", "127.0.0.1:\(listening)", "--tls-dir", directory, "--crm", "4711",
            "--product-group", "fuel-cards", "--features", "120,8,2500,-0.6,-0.5,0.1,0.02,0.3,2.0,0",
        ])
        #expect(answer.status == 0, "\(answer.output)")
        #expect(answer.output.contains("CRM 4711 · fuel-cards"))
        #expect(answer.output.contains("risk band CRITICAL"))
        #expect(answer.output.contains("INACTIVE"))

        let noCertificate = try await churnguard.run([
            "score", "--address", "127.0.0.1:\(listening)", "--ca", "\(directory)/ca.pem", "--crm", "1",
            "--features", "1,2,3,4,5,6,7,8,9,10",
        ])
        #expect(noCertificate.status == 1, "\(noCertificate.output)")

        kill(scorer.processIdentifier, SIGTERM)
        for _ in 0..<300 where scorer.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!scorer.isRunning, "the scorer did not exit within 15 s of SIGTERM")
        #expect(await scorer.exited() == 0)
        let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.contains("draining"), "\(output)")
        #expect(output.contains("stopped"), "\(output)")
    }

    @Test("a configuration mistake stops the scorer with exit status 2 and the line at fault")
    func badConfiguration() async throws {
        let directory = Self.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = "\(directory)/scorer.toml"
        try "[tls]\ncertificate = \"node.pem\"\nprivate_key = \"node.key\"\n[listen]\nprot = 1\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try await Self.churnguard().run(["scorer", "--config", file])
        #expect(outcome.status == 2)
        #expect(outcome.output.contains("scorer.toml:5: unknown key listen.prot"), "\(outcome.output)")
    }
}
