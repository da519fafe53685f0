public import ChurnWire

/// How an ``RPCServer`` listens, secures and limits its connections.
///
/// ```swift
/// let configuration = RPCServerConfiguration.defaults {
///     $0.port = 0                                   // any free port
///     $0.tls = ServerTLS(certificateChain: "node.pem", privateKey: "node.key", clientCertificateCA: "ca.pem")
///     $0.limits.maxConcurrentStreams = 2048
/// }
/// ```
public struct RPCServerConfiguration: Sendable {
    /// Limits every connection and call is held to; each is checked before anything it bounds is
    /// allocated.
    public struct Limits: Sendable, Hashable {
        /// Streams (calls) one connection may have open at once (HTTP/2
        /// `SETTINGS_MAX_CONCURRENT_STREAMS`). Default 1024.
        public var maxConcurrentStreams: Int
        /// The largest HTTP/2 frame the peer may send (`SETTINGS_MAX_FRAME_SIZE`, 16,384 to
        /// 16,777,215). Default 16,384: a wire frame larger than that arrives in several.
        public var maxHTTP2FrameSize: Int
        /// The largest header block the peer may send, in bytes (`SETTINGS_MAX_HEADER_LIST_SIZE`).
        /// Default 16,384.
        public var maxHeaderListSize: Int
        /// Bytes one stream may have in flight towards the server before the server reads them
        /// (the HTTP/2 stream window). Default 1 MiB. A caller that sends faster than the server
        /// answers, or that stops reading answers, is held to this.
        public var streamWindowSize: Int
        /// Wire frames one call may send. Default 1,048,576 (a billion rows at 1,000 a frame).
        public var maxFramesPerStream: Int
        /// Limits on every wire frame and message (`wire/README.md`, §5).
        public var wire: WireLimits
        /// Calls a caller may cancel (RST_STREAM) on one connection within ``streamLimitWindow``
        /// before the server closes the connection with `ENHANCE_YOUR_CALM`: the guard against
        /// "rapid reset" floods (CVE-2023-44487). Default 20,000.
        ///
        /// Callers cancel every call whose deadline passes, so a load spike brings many resets at
        /// once; swift-nio-http2's own default (200 in 30 s) then closed a busy connection and
        /// failed every other call on it. A cancelled call costs the server a stream's set-up
        /// (microseconds), so the default bounds a flood to a few percent of a core.
        public var maxStreamResets: Int
        /// Stream-level protocol errors one connection may cause within ``streamLimitWindow``
        /// before it is closed with `ENHANCE_YOUR_CALM`. Default 20,000.
        ///
        /// Most are races, not misbehaviour: a caller's DATA or WINDOW_UPDATE still in flight for
        /// a call the server has just ended (rejected, or past its deadline). swift-nio-http2 by
        /// default closes a connection after 200 of them in 30 s, and after 200 over its whole
        /// life: a busy connection that lives for hours would be closed in the end. The server
        /// counts them per window only.
        public var maxStreamErrors: Int
        /// The window ``maxStreamResets`` and ``maxStreamErrors`` are counted over. Default 10 s.
        public var streamLimitWindow: Duration
        /// Bytes of request frames the whole server holds while their calls wait for the rest
        /// (received, not yet a complete frame). While it holds this many, a new call is
        /// answered at once with `OVERLOADED` and a `retry_after_ms` hint (how long admitted calls
        /// have recently waited for their first answer) instead of waiting its turn; calls
        /// already admitted run to their end. Default 64 MiB.
        ///
        /// This is the server's backlog of large requests: past its capacity, a server that takes
        /// every streamed batch call shares its reads among all of them, so each frame arrives
        /// slowly until every call misses its deadline. A unary request arrives in one piece and
        /// is answered at once, so it holds almost nothing here.
        public var maxBufferedRequestBytes: Int
        /// The longest a call may have waited to reach the server (in the caller's buffers, flow
        /// control and the sockets, measured with `churn-sent-at-ms`) and still be served; one
        /// that waited longer while other calls are in progress is answered `OVERLOADED` before
        /// any of it is scored (an idle server serves it: the wait was not in its queue). nil
        /// serves every call however late. Default 1 s.
        ///
        /// Past its capacity a server that reads requests in order falls behind by more and more,
        /// until it works only on calls whose callers have already given up. Answering the stale
        /// ones at once costs microseconds, so the backlog drains and the calls still served are
        /// answered within about this bound. A burst from one caller also waits its turn (1,000
        /// calls sent at once on one connection waited up to 250 ms in a debug build on 2 shared
        /// cores), so the bound is well above that.
        public var maxArrivalDelay: Duration?
        /// When every call on a connection has waited longer than the rule's target for a whole
        /// interval, the queue is standing, and a call that waited longer than the target while
        /// other calls are in progress is answered `OVERLOADED` too (``StandingQueue``). Default
        /// nil: only ``maxArrivalDelay``.
        ///
        /// Off by default because it trades throughput for latency: a server loaded at about its
        /// capacity keeps a queue only by serving calls late, and draining it leaves the server
        /// idle when arrivals next fall short (`bench/results/standing-queue-*.md`).
        public var standingQueue: StandingQueue?
        /// Calls the whole server serves at once, over all connections, from a call's request
        /// HEADERS to its last answer; a call past it is shed like one past
        /// ``maxBufferedRequestBytes``. Default 4,096 (four connections at their full
        /// ``maxConcurrentStreams``).
        public var maxCallsInProgress: Int
        /// How long a call answered with an error while its request is still arriving (shed,
        /// refused, past its deadline) keeps its stream open for the rest of the request. Default
        /// 5 s.
        ///
        /// The caller ends or cancels the stream itself on reading the answer, after the last of
        /// its request bytes. A reset from the server instead crosses those bytes on the wire;
        /// they then arrive for a stream the server has closed, which HTTP/2 makes a connection
        /// error once the stream is no longer among those it remembers resetting (512): shedding
        /// hundreds of batch calls a second closed whole connections, and every call on them
        /// failed `UNAVAILABLE`. Past this grace the server resets the stream anyway.
        public var answeredRequestGrace: Duration

        /// Makes limits; every argument defaults to the value stated on its property.
        public init(
            maxConcurrentStreams: Int = 1024,
            maxHTTP2FrameSize: Int = 16_384,
            maxHeaderListSize: Int = 16_384,
            streamWindowSize: Int = 1 << 20,
            maxFramesPerStream: Int = 1 << 20,
            wire: WireLimits = .defaults,
            maxStreamResets: Int = 20_000,
            maxStreamErrors: Int = 20_000,
            streamLimitWindow: Duration = .seconds(10),
            maxBufferedRequestBytes: Int = 64 << 20,
            maxCallsInProgress: Int = 4096,
            maxArrivalDelay: Duration? = .seconds(1),
            standingQueue: StandingQueue? = nil,
            answeredRequestGrace: Duration = .seconds(5)
        ) {
            self.maxConcurrentStreams = maxConcurrentStreams
            self.maxHTTP2FrameSize = maxHTTP2FrameSize
            self.maxHeaderListSize = maxHeaderListSize
            self.streamWindowSize = streamWindowSize
            self.maxFramesPerStream = maxFramesPerStream
            self.wire = wire
            self.maxStreamResets = maxStreamResets
            self.maxStreamErrors = maxStreamErrors
            self.streamLimitWindow = streamLimitWindow
            self.maxBufferedRequestBytes = maxBufferedRequestBytes
            self.maxCallsInProgress = maxCallsInProgress
            self.maxArrivalDelay = maxArrivalDelay
            self.standingQueue = standingQueue
            self.answeredRequestGrace = answeredRequestGrace
        }
    }

    /// The address to listen on. Default `127.0.0.1`.
    public var host: String
    /// The port to listen on; 0 picks a free one (reported through `onListening`). Default 7443.
    public var port: Int
    /// The server's certificate and key, and the CA client certificates must chain to when mutual
    /// TLS is on. No default: a server always has its own certificate.
    public var tls: ServerTLS
    /// Connection and call limits. Default ``Limits/init(maxConcurrentStreams:maxHTTP2FrameSize:maxHeaderListSize:streamWindowSize:maxFramesPerStream:wire:maxStreamResets:maxStreamErrors:streamLimitWindow:maxBufferedRequestBytes:maxCallsInProgress:maxArrivalDelay:standingQueue:answeredRequestGrace:)``'s.
    public var limits: Limits
    /// How long graceful shutdown waits for calls in flight before it closes their connections.
    /// Default 30 s.
    public var shutdownGracePeriod: Duration
    /// A connection with no open call for this long is closed (with GOAWAY); nil keeps it. Default 5 minutes.
    public var maxIdleTime: Duration?
    /// How long a new connection may take to complete its TLS handshake and settle on HTTP/2
    /// before it is closed. Default 10 s.
    public var handshakeTimeout: Duration

    /// Makes a configuration; every argument but `tls` defaults to the value stated on its property.
    public init(
        host: String = "127.0.0.1",
        port: Int = 7443,
        tls: ServerTLS,
        limits: Limits = Limits(),
        shutdownGracePeriod: Duration = .seconds(30),
        maxIdleTime: Duration? = .seconds(300),
        handshakeTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.limits = limits
        self.shutdownGracePeriod = shutdownGracePeriod
        self.maxIdleTime = maxIdleTime
        self.handshakeTimeout = handshakeTimeout
    }
}
