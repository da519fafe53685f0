import Benchmark
import ChurnWire
import NIOCore
import WireSamples

/// The wire codec on the scoring path: encode and decode of a 32-feature ScoreRequest and a
/// 5-driver ScoreResponse, and LZ4 on a 1 MB batch frame. Goals (issue "Wire"): each single
/// encode or decode under 200 ns; encode allocates nothing beyond the output buffer (reused here);
/// decode allocates at most once (the feature or driver array).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .instructions],
        warmupIterations: 1_000,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000
    )

    let request = WireSamples.request
    let response = WireSamples.response
    var requestBytes = ByteBuffer()
    request.encode(into: &requestBytes)
    var responseBytes = ByteBuffer()
    response.encode(into: &responseBytes)

    Benchmark("ScoreRequest encode (32 features)") { benchmark in
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1024)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.clear()
            request.encode(into: &buffer)
            blackHole(buffer.writerIndex)
        }
    }

    Benchmark("ScoreRequest decode (32 features)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ScoreRequest(decoding: requestBytes))
        }
    }

    Benchmark("ScoreResponse encode (5 drivers)") { benchmark in
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1024)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.clear()
            response.encode(into: &buffer)
            blackHole(buffer.writerIndex)
        }
    }

    Benchmark("ScoreResponse decode (5 drivers)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ScoreResponse(decoding: responseBytes))
        }
    }

    let batch = WireSamples.batch()
    var batchPayload = ByteBuffer()
    batch.encode(into: &batchPayload)
    var compressedFrame = ByteBuffer()
    var frameEncoder = FrameEncoder(peerAcceptsCompression: true)
    frameEncoder.encodePayload(batchPayload, into: &compressedFrame)
    let batchConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 3,
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 2_000
    )

    Benchmark("LZ4 compress 1 MB batch frame", configuration: batchConfiguration) { benchmark in
        var encoder = FrameEncoder(peerAcceptsCompression: true)
        var out = ByteBuffer()
        out.reserveCapacity(2 << 20)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            out.clear()
            encoder.encodePayload(batchPayload, into: &out)
            blackHole(out.writerIndex)
        }
    }

    Benchmark("LZ4 decompress 1 MB batch frame", configuration: batchConfiguration) { benchmark in
        let parser = FrameParser()
        for _ in benchmark.scaledIterations {
            var input = compressedFrame
            blackHole(try parser.nextFrame(from: &input))
        }
    }

    Benchmark("ScoreBatchRequest decode 5,000 rows × 25 features", configuration: batchConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ScoreBatchRequest(decoding: batchPayload))
        }
    }
}
