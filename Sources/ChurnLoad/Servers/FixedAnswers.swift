public import ChurnWire
public import NIOCore

/// Answer bytes for a ``FixedAnswerServer``.
public enum FixedAnswers {
    /// One `Score` answer frame, the size of a typical scorer answer without drivers.
    public static func score() -> ByteBuffer {
        let answer = ScoreResponse(
            crm: 1_000_000,
            productGroup: "fuel_cards",
            probability: 0.4242,
            riskBand: .high,
            model: Self.model,
            baseValue: -1.5
        )
        return self.frame(answer, flags: .end)
    }

    /// One `Health/Check` answer frame: serving, with the model identity of ``score()``'s answer,
    /// so that callers which ask a scorer's health before loading it can load the floor.
    public static func health() -> ByteBuffer {
        var answer = HealthResponse()
        answer.state = .serving
        answer.nodeId = "floor"
        answer.model = Self.model
        answer.registryReachable = false
        answer.build = "floor"
        return self.frame(answer, flags: .end)
    }

    /// The model every fixed answer names.
    private static let model = ModelIdentity(
        name: "floor",
        version: 1,
        alias: .production,
        featureSchemaHash: 0xF100_F100
    )

    /// An error answer frame with `status`, as a scorer sends when it refuses a call.
    public static func error(_ status: WireStatus, message: String) -> ByteBuffer {
        self.frame(ErrorReply(status: status, message: message), flags: [.end, .error])
    }

    private static func frame(_ message: some WireMessage, flags: FrameFlags) -> ByteBuffer {
        var encoder = FrameEncoder(peerAcceptsCompression: false)
        var buffer = ByteBuffer()
        encoder.encode(message, flags: flags, into: &buffer)
        return buffer
    }
}
