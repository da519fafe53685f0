import ArgumentParser
import ChurnClient
import ChurnTransport
import ChurnWire
import Foundation
import Logging

/// One call from the terminal.
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score one customer on a running scorer and print the answer.",
        discussion: """
            Without --features the scorer derives them from the customer's history it holds (a \
            scorer started with --customers-from-database): churnguard score --tls-dir certs \
            --crm 4000001 --product-group fuel_cards. With --features, they go in the model's order \
            (`churnguard model show` lists it) and the feature-schema hash is asked of the scorer's \
            Health first unless --schema-hash is given. Example: churnguard score --tls-dir certs \
            --crm 4711 --product-group fuel-cards --features 120,18,9000,-0.3,-0.2,0.08,0.05,0.4,2.1,6
            """
    )

    @OptionGroup var call: CustomerCallOptions

    @Option(
        help:
            "Comma-separated feature values in the model's order; NaN for missing. Default: the scorer's history of the customer."
    )
    var features: String?

    @Option(help: "The feature-schema hash (hex); default: the serving model's, from Health.")
    var schemaHash: String?

    @Option(help: "How many drivers to return.")
    var topDrivers: UInt32 = 3

    func run() async throws {
        let values = try (self.features ?? "").split(separator: ",").map { text -> Double in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.lowercased() == "nan" { return .nan }
            guard let value = Double(trimmed) else { throw ValidationError("--features: '\(trimmed)' is not a number") }
            return value
        }
        let configuration = try self.call.clientConfiguration()
        let logger = Logger(label: "churnguard.score")
        do {
            let answer = try await ChurnClient.withClient(configuration: configuration, logger: logger) { client in
                var hash: UInt64
                if let text = self.schemaHash {
                    let digits = text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
                    guard let value = UInt64(digits, radix: 16) else {
                        throw ValidationError("--schema-hash is not hex")
                    }
                    hash = value
                } else if values.isEmpty {
                    // Scored from the scorer's history: no features, no schema to name.
                    hash = 0
                } else {
                    hash = try await client.health().model.featureSchemaHash
                }
                return try await client.score(
                    ScoreRequest(
                        crm: self.call.crm,
                        productGroup: self.call.productGroup,
                        featureSchemaHash: hash,
                        features: values,
                        topDrivers: self.topDrivers
                    )
                )
            }
            print(self.call.json ? answer.jsonString : ScoreAnswerText.render(answer))
        } catch let error as RPCError {
            print("error: \(error)")
            throw ExitCode(1)
        }
    }
}
