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
            model: ModelIdentity(name: "floor", version: 1, alias: .production, featureSchemaHash: 0xF100_F100),
            baseValue: -1.5
        )
        return self.frame(answer, flags: .end)
    }

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
