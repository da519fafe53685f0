import ArgumentParser

@main
struct ChurnGuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churnguard",
        abstract: "ChurnGuard: churn scoring for business customers, served over a binary RPC.",
        discussion: """
            Start with `churnguard demo`: it encodes the scoring path's messages as they travel \
            between a caller and a scorer, frames them, compresses a batch with LZ4 and reads \
            everything back. `churnguard model` imports LightGBM models and scores CSV files offline; \
            `churnguard wire` inspects the wire format by hand.
            """,
        subcommands: [DemoCommand.self, ModelCommand.self, WireCommand.self]
    )
}
