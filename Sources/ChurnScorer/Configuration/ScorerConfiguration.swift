public import ChurnModel
public import ChurnTransport

/// Everything a scorer node is configured with; read from a TOML file by
/// ``init(toml:relativeTo:)``, each default stated on its property.
///
/// ```toml
/// node_id = "scorer-1"
///
/// [listen]
/// host = "127.0.0.1"
/// port = 7443
///
/// [tls]
/// certificate = "certs/node.pem"
/// private_key = "certs/node.key"
/// client_ca = "certs/ca.pem"        # mutual TLS: callers need a certificate from this CA
///
/// [model]
/// artifact = "models/churn.model"   # a file; or, instead:
///
/// [registry]
/// model = "churn-gbdt"              # serve this model from the registry, hot-swapped
/// database_url = "postgres://…"     # default: $CHURNGUARD_DATABASE_URL
/// cache_dir = ".data/model-cache"
/// poll_interval_ms = 2000
///
/// [customers]
/// from_database = true              # hold customer histories: score by CRM number alone
/// scoring_day = "today"             # or "latest-activity", or "YYYY-MM-DD"
/// ```
public struct ScorerConfiguration: Sendable {
    /// The served model, until the registry serves it.
    public struct Model: Sendable, Hashable {
        /// A model artifact file (`churnguard model import-lightgbm` writes one); nil serves the
        /// built-in demo model. Default nil.
        public var artifact: String?
        /// The version answers report. Default 1.
        public var version: UInt32

        /// Makes the section; every argument defaults to the value stated on its property.
        public init(artifact: String? = nil, version: UInt32 = 1) {
            self.artifact = artifact
            self.version = version
        }
    }

    /// Where models come from when the registry serves them.
    public struct Registry: Sendable, Hashable {
        /// The model name to serve; nil: serve ``Model/artifact`` (or the demo model). Default nil.
        public var model: String?
        /// The registry's database; nil: `$CHURNGUARD_DATABASE_URL`. Default nil.
        public var databaseURL: String?
        /// Where the last production model (and, with ``Customers/fromDatabase``, the customer
        /// histories last loaded) is cached for start-ups with the database down.
        /// Default `.data/model-cache`.
        public var cacheDirectory: String
        /// How often to poll besides LISTEN/NOTIFY. Default 2,000 ms.
        public var pollIntervalMilliseconds: Int

        /// Makes the section; every argument defaults to the value stated on its property.
        public init(
            model: String? = nil,
            databaseURL: String? = nil,
            cacheDirectory: String = ".data/model-cache",
            pollIntervalMilliseconds: Int = 2_000
        ) {
            self.model = model
            self.databaseURL = databaseURL
            self.cacheDirectory = cacheDirectory
            self.pollIntervalMilliseconds = pollIntervalMilliseconds
        }
    }

    /// The customer histories a node holds, so that callers can score by CRM number alone.
    public struct Customers: Sendable, Hashable {
        /// Load every customer's monthly history from the database's `customer_months` at start
        /// (the registry's database: ``Registry/databaseURL`` or `$CHURNGUARD_DATABASE_URL`),
        /// cached in ``Registry/cacheDirectory`` for start-ups with the database down. Default
        /// false: callers send features.
        public var fromDatabase: Bool
        /// The day features are derived as of. Default ``ScoringDay/today``.
        public var scoringDay: ScoringDay

        /// Makes the section; every argument defaults to the value stated on its property.
        public init(fromDatabase: Bool = false, scoringDay: ScoringDay = .today) {
            self.fromDatabase = fromDatabase
            self.scoringDay = scoringDay
        }
    }

    /// This node's name in health answers and logs. Default `scorer-1`.
    public var nodeID: String
    /// Listening address, TLS, limits and shutdown grace period.
    public var server: RPCServerConfiguration
    /// The served model.
    public var model: Model
    /// Thresholds of the business rules. Default ``BusinessRules/defaults``.
    public var rules: BusinessRules
    /// The most drivers one row may ask for. Default 32.
    public var maxTopDrivers: Int
    /// The registry, when it serves the models. Default: not used.
    public var registry: Registry = Registry()
    /// Customer histories. Default: none held.
    public var customers: Customers = Customers()

    /// Makes a configuration; every argument but `server` defaults to the value stated on its property.
    public init(
        nodeID: String = "scorer-1",
        server: RPCServerConfiguration,
        model: Model = Model(),
        rules: BusinessRules = .defaults,
        maxTopDrivers: Int = 32
    ) {
        self.nodeID = nodeID
        self.server = server
        self.model = model
        self.rules = rules
        self.maxTopDrivers = maxTopDrivers
    }
}
