/// A `service` block: the RPCs one HTTP/2 path prefix serves.
public struct ServiceDeclaration: Sendable, Hashable {
    /// `rpc Score(ScoreRequest) returns (ScoreResponse);`, with `stream` on either side.
    public struct RPC: Sendable, Hashable {
        public var name: String
        public var requestType: String
        public var requestStreams: Bool
        public var responseType: String
        public var responseStreams: Bool
        public var location: SourceLocation
        public var doc: [String]
    }

    public var name: String
    public var rpcs: [RPC]
    public var location: SourceLocation
    public var doc: [String]
}
