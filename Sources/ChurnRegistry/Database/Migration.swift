/// One versioned step of the registry's database schema: statements run in order inside one
/// transaction, recorded in `schema_migrations` so it is applied once.
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    /// Every migration, in version order. Append only: a released migration never changes.
    public static let all: [Migration] = [
        Migration(
            version: 1,
            name: "model registry: versions, aliases, audit",
            statements: [
                """
                CREATE FUNCTION churn_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% rows are immutable (% refused)', TG_TABLE_NAME, TG_OP
                        USING ERRCODE = 'restrict_violation';
                END $$
                """,
                """
                CREATE TABLE model_versions (
                    name text NOT NULL CHECK (name <> ''),
                    version integer NOT NULL CHECK (version > 0),
                    format text NOT NULL CHECK (format IN ('logistic', 'trees')),
                    artifact bytea NOT NULL,
                    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
                    schema_hash text NOT NULL CHECK (schema_hash ~ '^[0-9a-f]{16}$'),
                    metrics jsonb NOT NULL DEFAULT '{}',
                    golden_rows bytea NOT NULL,
                    golden_probabilities bytea NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    created_by text NOT NULL,
                    notes text NOT NULL DEFAULT '',
                    PRIMARY KEY (name, version)
                )
                """,
                """
                CREATE TRIGGER model_versions_immutable BEFORE UPDATE OR DELETE ON model_versions
                    FOR EACH ROW EXECUTE FUNCTION churn_refuse_change()
                """,
                """
                CREATE TABLE model_aliases (
                    name text NOT NULL,
                    alias text NOT NULL CHECK (alias IN ('production', 'canary', 'shadow')),
                    version integer NOT NULL,
                    traffic_bp integer NOT NULL DEFAULT 10000 CHECK (traffic_bp BETWEEN 1 AND 10000),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    updated_by text NOT NULL,
                    PRIMARY KEY (name, alias),
                    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
                )
                """,
                """
                CREATE TABLE registry_audit (
                    id bigserial PRIMARY KEY,
                    at timestamptz NOT NULL DEFAULT now(),
                    actor text NOT NULL,
                    action text NOT NULL,
                    name text NOT NULL,
                    alias text,
                    from_version integer,
                    to_version integer,
                    detail text NOT NULL DEFAULT ''
                )
                """,
                "CREATE INDEX registry_audit_by_name ON registry_audit (name, id)",
                """
                CREATE TRIGGER registry_audit_append_only BEFORE UPDATE OR DELETE ON registry_audit
                    FOR EACH ROW EXECUTE FUNCTION churn_refuse_change()
                """,
            ]
        ),
        Migration(
            version: 2,
            name: "shadow results: production and shadow scores of the same calls",
            statements: [
                """
                CREATE TABLE shadow_results (
                    id bigserial PRIMARY KEY,
                    at timestamptz NOT NULL DEFAULT now(),
                    name text NOT NULL,
                    production_version integer NOT NULL,
                    shadow_version integer NOT NULL,
                    crm bigint NOT NULL,
                    production_probability float8 NOT NULL,
                    shadow_probability float8 NOT NULL,
                    scorer text NOT NULL
                )
                """,
                "CREATE INDEX shadow_results_by_versions ON shadow_results (name, shadow_version, production_version)",
            ]
        ),
        Migration(
            version: 3,
            name: "customer history: one row per customer, product group and month",
            statements: [
                """
                CREATE TABLE customer_months (
                    crm bigint NOT NULL,
                    product_group text NOT NULL,
                    month date NOT NULL CHECK (extract(day FROM month) = 1),
                    net_revenue float8 NOT NULL,
                    kag_count float8 NOT NULL,
                    discounts float8 NOT NULL,
                    returns float8 NOT NULL,
                    complaints float8 NOT NULL,
                    satisfaction float8,
                    call_center_contacts float8 NOT NULL,
                    first_activity date NOT NULL,
                    last_activity date NOT NULL CHECK (last_activity >= first_activity),
                    contract_start date,
                    PRIMARY KEY (crm, product_group, month)
                )
                """
            ]
        ),
        Migration(
            version: 4,
            name: "ingest: activity events by event id; survey counts; months without activity",
            statements: [
                """
                CREATE TABLE activity_events (
                    event_id text PRIMARY KEY CHECK (event_id <> '' AND octet_length(event_id) <= 200),
                    crm bigint NOT NULL,
                    product_group text NOT NULL CHECK (product_group <> ''),
                    occurred_at timestamptz NOT NULL,
                    kind smallint NOT NULL CHECK (kind BETWEEN 1 AND 8),
                    amount float8 NOT NULL,
                    kag_delta integer NOT NULL,
                    ingested_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX activity_events_by_customer ON activity_events (crm, product_group, occurred_at)",
                """
                ALTER TABLE customer_months
                    ADD COLUMN satisfaction_surveys integer NOT NULL DEFAULT 0 CHECK (satisfaction_surveys >= 0)
                """,
                "UPDATE customer_months SET satisfaction_surveys = 1 WHERE satisfaction IS NOT NULL",
                """
                ALTER TABLE customer_months
                    ALTER COLUMN first_activity DROP NOT NULL,
                    ALTER COLUMN last_activity DROP NOT NULL,
                    ADD CHECK ((first_activity IS NULL) = (last_activity IS NULL))
                """,
            ]
        ),
        Migration(
            version: 5,
            name: "ingest: each event's transaction, so a scorer catches up on the commits it missed",
            statements: [
                // Rows stored before get the migration's own transaction: committed, like them.
                "ALTER TABLE activity_events ADD COLUMN xact xid8 NOT NULL DEFAULT pg_current_xact_id()",
                "CREATE INDEX activity_events_by_transaction ON activity_events (xact)",
            ]
        ),
        Migration(
            version: 6,
            name: "ingest: a version per customer, one more per commit that changes it",
            statements: [
                """
                CREATE TABLE customer_versions (
                    crm bigint NOT NULL,
                    product_group text NOT NULL,
                    version bigint NOT NULL CHECK (version > 0),
                    PRIMARY KEY (crm, product_group)
                )
                """
            ]
        ),
        Migration(
            version: 7,
            name: "bulk replaces of every history, which running scorers load again",
            statements: [
                // One row per replace: its generation (the version every replaced customer got) and
                // its transaction, so that a scorer that was not listening finds it in its catch-up.
                """
                CREATE TABLE history_replacements (
                    generation bigint PRIMARY KEY CHECK (generation > 0),
                    customers bigint NOT NULL,
                    replaced_at timestamptz NOT NULL DEFAULT now(),
                    xact xid8 NOT NULL DEFAULT pg_current_xact_id()
                )
                """,
                // The version a customer's first commit gives it. A sequence, not a read of the
                // last generation: a commit that waited for a replace's locks reads it after them.
                "CREATE SEQUENCE customer_first_versions",
            ]
        ),
    ]
}
