import ArgumentParser
import ChurnWire
import NIOCore

/// Round-trips the scoring path's messages through the wire codec and shows what travels.
struct WireDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show a score request, its answer and a streamed batch on the wire, and read them back.",
        discussion: """
            Encodes a ScoreRequest with 32 features and a ScoreResponse with 5 drivers as unary \
            frames, then a batch of --rows rows as one LZ4-compressed frame, decodes all of them \
            and checks each equals what was sent. Exits 1 if any round trip differs.
            """
    )

    @Option(help: "Rows in the demo batch.")
    var rows = 10_000

    @Option(help: "Features per row in the demo batch.")
    var features = 20

    func validate() throws {
        guard (1...1_000_000).contains(self.rows) else { throw ValidationError("--rows must be 1 to 1000000") }
        guard (1...1_000).contains(self.features) else { throw ValidationError("--features must be 1 to 1000") }
    }

    func run() throws {
        var failures = 0
        var encoder = FrameEncoder(peerAcceptsCompression: true)
        let parser = FrameParser()

        let request = ScoreRequest(
            crm: 4_711_000_815,
            productGroup: "fuel-cards",
            featureSchemaHash: 0x9E37_79B9_7F4A_7C15,
            features: (0..<32).map { Double($0) * 0.25 - 3 },
            topDrivers: 5
        )
        print("Caller → scorer: POST \(ScoringService.score.path)")
        failures += try self.show(request, flags: .end, encoder: &encoder, parser: parser)

        let response = ScoreResponse(
            crm: request.crm,
            productGroup: request.productGroup,
            probability: 0.8125,
            riskBand: .high,
            ruleFlags: 1 << RuleFlag.inactive.rawValue,
            drivers: ["days_inactive", "revenue_chg_3m", "kag_chg_3m", "complaints", "satisfaction"].enumerated().map {
                ScoreResponse.Driver(
                    feature: UInt32($0),
                    name: $1,
                    contribution: 0.6 - Double($0) * 0.3,
                    value: Double($0)
                )
            },
            model: ModelIdentity(
                name: "churn-gbdt",
                version: 7,
                alias: .production,
                featureSchemaHash: request.featureSchemaHash
            )
        )
        print("\nScorer → caller:")
        failures += try self.show(response, flags: .end, encoder: &encoder, parser: parser)

        let crms = (0..<UInt64(self.rows)).map { 1_000_000 + $0 * 7 }
        let batch = ScoreBatchRequest(
            featureSchemaHash: request.featureSchemaHash,
            featureCount: UInt32(self.features),
            crms: crms,
            productGroup: "fuel-cards",
            features: Self.exportLikeValues(count: self.rows * self.features)
        )
        print("\nCaller → scorer: POST \(ScoringService.scoreBatch.path), one frame of \(self.rows) rows")
        var wire = ByteBuffer()
        encoder.encode(batch, into: &wire)
        let raw = batch.encodedSize
        let sent = wire.readableBytes
        let flags = FrameFlags(rawValue: wire.getInteger(at: 0)!)
        print(
            "  message \(raw) bytes, frame \(sent) bytes (\(flags.contains(.compressed) ? "LZ4" : "uncompressed"), \(percent(sent, of: raw)) of the message)"
        )
        let frame = try parser.nextFrame(from: &wire)
        let decoded = try frame?.decode(as: ScoreBatchRequest.self)
        let same = decoded == batch
        print("  read back: \(same ? "identical" : "DIFFERENT")")
        if !same { failures += 1 }

        print("\nSlots: CRM \(request.crm) → \(Slot(crm: request.crm)) of \(Slot.count)")
        if failures > 0 {
            print("\n\(failures) round trip(s) differed")
            throw ExitCode(1)
        }
        print("\nAll round trips identical.")
    }

    /// Pseudo-random values with two decimals, as exported revenue figures have: realistic for
    /// what LZ4 can save, unlike a repeating pattern.
    static func exportLikeValues(count: Int) -> [Double] {
        var state: UInt64 = 42
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 44) / 100
        }
    }

    private func show(
        _ message: some WireMessage,
        flags: FrameFlags,
        encoder: inout FrameEncoder,
        parser: FrameParser
    ) throws -> Int {
        var wire = ByteBuffer()
        encoder.encode(message, flags: flags, into: &wire)
        print("  \(type(of: message).wireName) \(message.jsonString)")
        print(
            "  frame (\(wire.readableBytes) bytes): \(Hex.encode(wire.readableBytesView.prefix(48)))\(wire.readableBytes > 48 ? "…" : "")"
        )
        guard let frame = try parser.nextFrame(from: &wire) else { return 1 }
        let same = try frame.decode(as: type(of: message)) == message
        print("  read back: \(same ? "identical" : "DIFFERENT")")
        return same ? 0 : 1
    }
}

func percent(_ part: Int, of whole: Int) -> String {
    let tenths = whole == 0 ? 0 : (part * 1000 + whole / 2) / whole
    return "\(tenths / 10).\(tenths % 10) %"
}
