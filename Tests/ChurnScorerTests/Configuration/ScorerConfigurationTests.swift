import ChurnModel
import ChurnScorer
import ChurnTransport
import ChurnWire
import Testing

@Suite("Scorer configuration files")
struct ScorerConfigurationTests {
    static let minimal = """
        [tls]
        certificate = "certs/node.pem"
        private_key = "certs/node.key"
        """

    @Test("a minimal file takes every default, and paths are relative to the file's folder")
    func defaults() throws {
        let configuration = try ScorerConfiguration(toml: Self.minimal, source: "scorer.toml", relativeTo: "/etc/churn")
        #expect(configuration.server.tls.certificateChain == "/etc/churn/certs/node.pem")
        #expect(configuration.server.tls.privateKey == "/etc/churn/certs/node.key")
        #expect(configuration.server.tls.clientCertificateCA == nil)
        #expect(configuration.nodeID == "scorer-1")
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.port == 7443)
        #expect(configuration.server.limits == RPCServerConfiguration.Limits())
        #expect(configuration.server.shutdownGracePeriod == .seconds(30))
        #expect(configuration.server.handshakeTimeout == .seconds(10))
        #expect(configuration.model.artifact == nil)
        #expect(configuration.model.version == 1)
        #expect(configuration.rules == .defaults)
        #expect(configuration.maxTopDrivers == 32)
        #expect(configuration.customers == ScorerConfiguration.Customers(fromDatabase: false, scoringDay: .today))
    }

    @Test("[customers] loads histories from the database and fixes the day they are scored as of")
    func customers() throws {
        for (day, expected) in [
            ("today", ScoringDay.today), ("latest-activity", .latestActivity),
            ("1998-06-30", .fixed(CivilDate.days(year: 1998, month: 6, day: 30))),
        ] {
            let configuration = try ScorerConfiguration(
                toml: Self.minimal + "\n[customers]\nfrom_database = true\nscoring_day = \"\(day)\"\n",
                source: "scorer.toml",
                relativeTo: "/"
            )
            #expect(configuration.customers == ScorerConfiguration.Customers(fromDatabase: true, scoringDay: expected))
        }
    }

    @Test("[registry] names the model to serve from the registry, and excludes [model] artifact")
    func registry() throws {
        let text =
            Self.minimal + """

                [registry]
                model = "churn-gbdt"
                database_url = "postgres://churnguard:x@127.0.0.1:5432/churnguard"
                cache_dir = "cache"
                poll_interval_ms = 500
                """
        let configuration = try ScorerConfiguration(toml: text, source: "scorer.toml", relativeTo: "/etc/churn")
        #expect(configuration.registry.model == "churn-gbdt")
        #expect(configuration.registry.databaseURL == "postgres://churnguard:x@127.0.0.1:5432/churnguard")
        #expect(configuration.registry.cacheDirectory == "/etc/churn/cache")
        #expect(configuration.registry.pollIntervalMilliseconds == 500)
        let defaults = try ScorerConfiguration(toml: Self.minimal, source: "scorer.toml", relativeTo: "/etc/churn")
        #expect(defaults.registry == ScorerConfiguration.Registry())
        #expect(throws: ConfigurationError.self) {
            try ScorerConfiguration(
                toml: Self.minimal + "\n[model]\nartifact = \"m.model\"\n[registry]\nmodel = \"x\"\n",
                source: "scorer.toml",
                relativeTo: "/"
            )
        }
        #expect(throws: ConfigurationError.self) {
            try ScorerConfiguration(
                toml: Self.minimal + "\n[registry]\npoll_interval_ms = 5\n",
                source: "s",
                relativeTo: "/"
            )
        }
    }

    @Test("every key is read into its field")
    func everyKey() throws {
        let text = """
            node_id = "scorer-7" # a comment
            [listen]
            host = "0.0.0.0"
            port = 9443
            [tls]
            certificate = "/abs/node.pem"
            private_key = "node.key"
            client_ca = "ca # not a comment.pem"
            [model]
            artifact = "models/churn.model"
            version = 12
            [limits]
            max_concurrent_streams = 2_048
            max_http2_frame_bytes = 65536
            max_header_list_bytes = 8192
            stream_window_bytes = 2097152
            max_frames_per_stream = 5000
            max_frame_bytes = 1048576
            max_stream_resets = 500
            max_stream_errors = 700
            stream_limit_window_seconds = 2.5
            max_calls_in_progress = 64
            max_buffered_request_bytes = 1048576
            max_arrival_delay_ms = 0
            standing_queue_target_ms = 40
            standing_queue_interval_ms = 250
            max_top_drivers = 5
            handshake_timeout_seconds = 3
            [rules]
            inactivity_days = 60
            revenue_decrease = 0.2
            transaction_decrease = 0.25
            satisfaction_floor = 3
            [shutdown]
            grace_period_seconds = 2.5
            """
        let configuration = try ScorerConfiguration(toml: text, source: "s.toml", relativeTo: "conf")
        #expect(configuration.nodeID == "scorer-7")
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.port == 9443)
        #expect(configuration.server.tls.certificateChain == "/abs/node.pem")
        #expect(configuration.server.tls.privateKey == "conf/node.key")
        #expect(configuration.server.tls.clientCertificateCA == "conf/ca # not a comment.pem")
        #expect(configuration.model.artifact == "conf/models/churn.model")
        #expect(configuration.model.version == 12)
        #expect(configuration.server.limits.maxConcurrentStreams == 2048)
        #expect(configuration.server.limits.maxHTTP2FrameSize == 65536)
        #expect(configuration.server.limits.maxHeaderListSize == 8192)
        #expect(configuration.server.limits.streamWindowSize == 2_097_152)
        #expect(configuration.server.limits.maxFramesPerStream == 5000)
        #expect(configuration.server.limits.wire.maxFrameSize == 1_048_576)
        #expect(configuration.server.limits.maxStreamResets == 500)
        #expect(configuration.server.limits.maxStreamErrors == 700)
        #expect(configuration.server.limits.streamLimitWindow == .milliseconds(2500))
        #expect(configuration.server.limits.maxCallsInProgress == 64)
        #expect(configuration.server.limits.maxBufferedRequestBytes == 1_048_576)
        #expect(configuration.server.limits.maxArrivalDelay == nil)
        #expect(
            configuration.server.limits.standingQueue
                == .init(target: .milliseconds(40), interval: .milliseconds(250))
        )
        #expect(configuration.maxTopDrivers == 5)
        #expect(configuration.server.handshakeTimeout == .seconds(3))
        #expect(configuration.rules.inactivityDays == 60)
        #expect(configuration.rules.revenueDecrease == 0.2)
        #expect(configuration.rules.transactionDecrease == 0.25)
        #expect(configuration.rules.satisfactionFloor == 3)
        #expect(configuration.server.shutdownGracePeriod == .milliseconds(2500))
    }

    @Test("the standing-queue rule is off unless given a target, whose interval defaults to 1 s")
    func standingQueueRule() throws {
        let off = try ScorerConfiguration(toml: Self.minimal, source: "s.toml", relativeTo: "")
        #expect(off.server.limits.standingQueue == nil)
        let zero = try ScorerConfiguration(
            toml: Self.minimal + "\n[limits]\nstanding_queue_target_ms = 0\n",
            source: "s.toml",
            relativeTo: ""
        )
        #expect(zero.server.limits.standingQueue == nil)
        let on = try ScorerConfiguration(
            toml: Self.minimal + "\n[limits]\nstanding_queue_target_ms = 80\n",
            source: "s.toml",
            relativeTo: ""
        )
        #expect(on.server.limits.standingQueue == .init(target: .milliseconds(80), interval: .seconds(1)))
    }

    @Test(
        "mistakes are refused with the file, line and key",
        arguments: [
            (minimal + "\n[listen]\nprot = 1", "s.toml:5: unknown key listen.prot"),
            (minimal + "\n[listen]\nport = \"7443\"", "s.toml:5: listen.port must be an integer, not a string"),
            (minimal + "\n[listen]\nport = 70000", "s.toml:5: listen.port is 70000, it must be 0 to 65535"),
            (
                minimal + "\n[limits]\nmax_calls_in_progress = 0",
                "s.toml:5: limits.max_calls_in_progress is 0, it must be 1 to 1000000"
            ),
            ("node_id = \"a\"\nnode_id = \"b\"\n" + minimal, "s.toml:2: node_id is set twice"),
            (minimal + "\n[listen\n", "s.toml:4: a section header is [name]"),
            (minimal + "\nnode_id = [1, 2]", "s.toml:4: '[1, 2]' is not a string, number or boolean"),
            (minimal + "\nnode_id = \"open", "s.toml:4: the string has no closing quote"),
            ("[listen]\nport = 1", "s.toml: [tls] needs certificate and private_key"),
            (
                minimal + "\n[customers]\nscoring_day = \"1998-02-30\"",
                "s.toml:5: customers.scoring_day is '1998-02-30': use \"today\", \"latest-activity\" or a date YYYY-MM-DD"
            ),
            (minimal + "\n[customers]\nfrom_database = 1", "s.toml:5: customers.from_database must be true or false"),
            (
                minimal + "\n[limits]\nstanding_queue_interval_ms = 500",
                "s.toml:5: limits.standing_queue_interval_ms needs limits.standing_queue_target_ms above 0"
            ),
            (
                minimal + "\n[limits]\nstanding_queue_target_ms = 0\nstanding_queue_interval_ms = 500",
                "s.toml:6: limits.standing_queue_interval_ms needs limits.standing_queue_target_ms above 0"
            ),
        ]
    )
    func mistakes(text: String, message: String) {
        #expect {
            _ = try ScorerConfiguration(toml: text, source: "s.toml", relativeTo: "")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.message.hasPrefix(message)
        }
    }
}
