/// How many messages each side of an RPC sends (`wire/README.md`, "RPCs").
public enum RPCKind: Sendable, Hashable {
    /// One request frame, one response frame.
    case unary
    /// Many request frames, then one response frame.
    case clientStreaming
    /// One request frame, then many response frames.
    case serverStreaming
    /// Frames flow both ways on one stream.
    case bidirectionalStreaming
}
