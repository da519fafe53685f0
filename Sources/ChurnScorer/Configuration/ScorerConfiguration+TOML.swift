internal import ChurnModel
internal import ChurnTransport
internal import ChurnWire

extension ScorerConfiguration {
    /// Reads a scorer's TOML configuration (the format is on ``ScorerConfiguration``). Relative
    /// paths are taken relative to `directory` (the file's folder). Keys are checked: an unknown
    /// key is an error, so a typo never silently falls back to a default.
    ///
    /// Keys: `node_id`; `[listen]` `host`, `port`; `[tls]` `certificate`, `private_key`,
    /// `client_ca`; `[model]` `artifact`, `version`; `[limits]` `max_concurrent_streams`,
    /// `max_http2_frame_bytes`, `max_header_list_bytes`, `stream_window_bytes`,
    /// `max_frames_per_stream`, `max_frame_bytes`, `max_stream_resets`, `max_stream_errors`,
    /// `stream_limit_window_seconds`, `max_buffered_request_bytes`, `max_calls_in_progress`, `max_arrival_delay_ms` (0: none),
    /// `standing_queue_target_ms` (0 or absent: off), `standing_queue_interval_ms`, `max_top_drivers`, `handshake_timeout_seconds`; `[rules]`
    /// `inactivity_days`, `revenue_decrease`, `transaction_decrease`, `satisfaction_floor`;
    /// `[shutdown]` `grace_period_seconds`; `[registry]` `model`, `database_url`, `cache_dir`,
    /// `poll_interval_ms`; `[customers]` `from_database`, `scoring_day`.
    ///
    /// - Throws: ``ConfigurationError`` naming the file, line and key.
    public init(toml text: String, source: String, relativeTo directory: String) throws(ConfigurationError) {
        let table = try TOMLTable(parsing: text, source: source)
        var reader = TOMLReader(table: table, source: source, directory: directory)
        guard let certificate = try reader.path("tls.certificate"), let key = try reader.path("tls.private_key")
        else {
            throw ConfigurationError(
                "\(source): [tls] needs certificate and private_key (`churnguard certs dev` makes them)"
            )
        }
        var server = RPCServerConfiguration(
            tls: ServerTLS(
                certificateChain: certificate,
                privateKey: key,
                clientCertificateCA: try reader.path("tls.client_ca")
            )
        )
        if let host = try reader.string("listen.host") { server.host = host }
        if let port = try reader.integer("listen.port", in: 0...65535) { server.port = port }
        if let value = try reader.integer("limits.max_concurrent_streams", in: 1...1_000_000) {
            server.limits.maxConcurrentStreams = value
        }
        if let value = try reader.integer("limits.max_http2_frame_bytes", in: 16_384...16_777_215) {
            server.limits.maxHTTP2FrameSize = value
        }
        if let value = try reader.integer("limits.max_header_list_bytes", in: 1024...1 << 20) {
            server.limits.maxHeaderListSize = value
        }
        if let value = try reader.integer("limits.stream_window_bytes", in: 65_535...(1 << 31) - 1) {
            server.limits.streamWindowSize = value
        }
        if let value = try reader.integer("limits.max_frames_per_stream", in: 1...Int(Int32.max)) {
            server.limits.maxFramesPerStream = value
        }
        if let value = try reader.integer("limits.max_frame_bytes", in: 1024...1 << 30) {
            server.limits.wire.maxFrameSize = value
        }
        if let value = try reader.integer("limits.max_stream_resets", in: 1...100_000_000) {
            server.limits.maxStreamResets = value
        }
        if let value = try reader.integer("limits.max_stream_errors", in: 1...100_000_000) {
            server.limits.maxStreamErrors = value
        }
        if let seconds = try reader.number("limits.stream_limit_window_seconds", in: 0.1...3600) {
            server.limits.streamLimitWindow = .milliseconds(Int64(seconds * 1000))
        }
        if let value = try reader.integer("limits.max_buffered_request_bytes", in: 1 << 16...1 << 40) {
            server.limits.maxBufferedRequestBytes = value
        }
        if let value = try reader.integer("limits.max_calls_in_progress", in: 1...1_000_000) {
            server.limits.maxCallsInProgress = value
        }
        if let value = try reader.integer("limits.max_arrival_delay_ms", in: 0...3_600_000) {
            server.limits.maxArrivalDelay = value == 0 ? nil : .milliseconds(value)
        }
        if let target = try reader.integer("limits.standing_queue_target_ms", in: 0...3_600_000), target > 0 {
            var rule = RPCServerConfiguration.Limits.StandingQueue(target: .milliseconds(target))
            if let interval = try reader.integer("limits.standing_queue_interval_ms", in: 1...3_600_000) {
                rule.interval = .milliseconds(interval)
            }
            server.limits.standingQueue = rule
        } else if let entry = reader.entry("limits.standing_queue_interval_ms") {
            throw ConfigurationError(
                "\(source):\(entry.line): limits.standing_queue_interval_ms needs limits.standing_queue_target_ms above 0"
            )
        }
        if let seconds = try reader.number("limits.handshake_timeout_seconds", in: 0.1...600) {
            server.handshakeTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let seconds = try reader.number("shutdown.grace_period_seconds", in: 0...3600) {
            server.shutdownGracePeriod = .milliseconds(Int64(seconds * 1000))
        }
        self.init(server: server)
        if let nodeID = try reader.string("node_id") { self.nodeID = nodeID }
        self.model.artifact = try reader.path("model.artifact")
        if let version = try reader.integer("model.version", in: 1...Int(UInt32.max)) {
            self.model.version = UInt32(version)
        }
        if let value = try reader.integer("limits.max_top_drivers", in: 0...1000) { self.maxTopDrivers = value }
        if let value = try reader.number("rules.inactivity_days", in: 0...36_500) { self.rules.inactivityDays = value }
        if let value = try reader.number("rules.revenue_decrease", in: 0...1) { self.rules.revenueDecrease = value }
        if let value = try reader.number("rules.transaction_decrease", in: 0...1) {
            self.rules.transactionDecrease = value
        }
        if let value = try reader.number("rules.satisfaction_floor", in: 0...10) {
            self.rules.satisfactionFloor = value
        }
        self.registry.model = try reader.string("registry.model")
        self.registry.databaseURL = try reader.string("registry.database_url")
        if let directory = try reader.path("registry.cache_dir") { self.registry.cacheDirectory = directory }
        if let value = try reader.integer("registry.poll_interval_ms", in: 100...600_000) {
            self.registry.pollIntervalMilliseconds = value
        }
        if let value = try reader.bool("customers.from_database") { self.customers.fromDatabase = value }
        if let text = try reader.string("customers.scoring_day") {
            guard let day = ScoringDay(text) else {
                let line = reader.entry("customers.scoring_day")?.line ?? 0
                throw ConfigurationError(
                    "\(source):\(line): customers.scoring_day is '\(text)': use \"today\", \"latest-activity\" or a date YYYY-MM-DD"
                )
            }
            self.customers.scoringDay = day
        }
        if self.registry.model != nil, self.model.artifact != nil {
            throw ConfigurationError(
                "\(source): [model] artifact and [registry] model exclude each other: choose one source"
            )
        }
        try reader.refuseUnread()
    }
}
