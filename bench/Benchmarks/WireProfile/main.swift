import ChurnWire
import NIOCore

// Runs one codec operation N times, for callgrind (bench/callgrind-wire):
//   WireProfile N decode-request|decode-response|encode-request|encode-response
let response = ScoreResponse(
    crm: 4_711_000_815,
    productGroup: "fuel-cards",
    probability: 0.8125,
    riskBand: .high,
    ruleFlags: 3,
    drivers: ["days_inactive", "revenue_chg_3m", "kag_chg_3m", "complaints", "satisfaction"].enumerated().map {
        ScoreResponse.Driver(feature: UInt32($0), name: $1, contribution: 0.5 - Double($0) * 0.25, value: Double($0))
    },
    model: ModelIdentity(name: "churn-gbdt", version: 7, alias: .production, featureSchemaHash: 99),
    baseValue: -1.25
)
let request = ScoreRequest(
    crm: 4_711_000_815,
    productGroup: "fuel-cards",
    featureSchemaHash: 0x9E37_79B9_7F4A_7C15,
    features: (0..<32).map { Double($0) * 0.25 - 3 },
    topDrivers: 5,
    withOffer: true
)
var responseBytes = ByteBuffer()
response.encode(into: &responseBytes)
var requestBytes = ByteBuffer()
request.encode(into: &requestBytes)
let arguments = Array(CommandLine.arguments.dropFirst())
let iterations = Int(arguments.first ?? "100000") ?? 100_000
let mode = arguments.count > 1 ? arguments[1] : "decode-response"
@MainActor
func run(_ mode: String, _ iterations: Int) throws -> Int {
    var total = 0
    var out = ByteBuffer()
    out.reserveCapacity(1024)
    switch mode {
    case "decode-request":
        for _ in 0..<iterations { total &+= try ScoreRequest(decoding: requestBytes).features.count }
    case "decode-response":
        for _ in 0..<iterations { total &+= try ScoreResponse(decoding: responseBytes).drivers.count }
    case "encode-request":
        for _ in 0..<iterations {
            out.clear()
            request.encode(into: &out)
            total &+= out.writerIndex
        }
    case "encode-response":
        for _ in 0..<iterations {
            out.clear()
            response.encode(into: &out)
            total &+= out.writerIndex
        }
    case "none":
        break
    default:
        print("unknown mode \(mode); use decode-request, decode-response, encode-request, encode-response or none")
    }
    return total
}
print(try run(mode, iterations))
