import ArgumentParser

@main
struct ChurnGuardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churnguard",
        abstract: "ChurnGuard: churn scoring for business customers, served over a binary RPC.",
        discussion: """
            Start with `churnguard demo`: it starts a scorer with the demo model and scores customers \
            through mutual TLS over HTTP/2, one by one and as a streamed batch. To run a node yourself: \
            `churnguard certs dev --out certs`, `churnguard scorer --tls-dir certs`, then \
            `churnguard score --tls-dir certs --crm 4711 --features …`. `churnguard demo-data` and \
            `churnguard transactions` make labelled rows, `churnguard train` trains on them, \
            `churnguard model` imports LightGBM models and scores CSV files offline; `churnguard wire` inspects the wire format.
            """,
        subcommands: [
            DemoCommand.self, ScorerCommand.self, ScoreCommand.self, TrendCommand.self, IngestCommand.self,
            CertsCommand.self,
            ModelCommand.self,
            TrainCommand.self, DemoDataCommand.self, TransactionsCommand.self, DatabaseCommand.self, WireCommand.self,
        ]
    )
}
