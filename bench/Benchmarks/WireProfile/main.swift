import ChurnWire
import NIOCore
import WireSamples

// Runs one codec operation N times, for callgrind (bench/callgrind-wire):
//   WireProfile N decode-request|decode-response|encode-request|encode-response
let response = WireSamples.response
let request = WireSamples.request
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
