import Benchmark
import ChurnWire
import NIOCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        warmupIterations: 1000,
        scalingFactor: .kilo,
        maxDuration: .seconds(2)
    )
    let bytes: [UInt8] = Array("revenue_chg_3m".utf8)
    Benchmark("String(validating:)") { benchmark in
        bytes.withUnsafeBufferPointer { buffer in
            for _ in benchmark.scaledIterations { blackHole(String(validating: buffer, as: UTF8.self)) }
        }
    }
    Benchmark("String(decoding:)") { benchmark in
        bytes.withUnsafeBufferPointer { buffer in
            for _ in benchmark.scaledIterations { blackHole(String(decoding: buffer, as: UTF8.self)) }
        }
    }
    let driver = ScoreResponse.Driver(feature: 1, name: "revenue_chg_3m", contribution: 0.5, value: 2)
    var driverBytes = ByteBuffer()
    driver.encode(into: &driverBytes)
    Benchmark("Driver decode") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try ScoreResponse.Driver(decoding: driverBytes)) }
    }
    let model = ModelIdentity(name: "churn-gbdt", version: 7, alias: .production, featureSchemaHash: 99)
    var modelBytes = ByteBuffer()
    model.encode(into: &modelBytes)
    Benchmark("ModelIdentity decode") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try ModelIdentity(decoding: modelBytes)) }
    }
    let plain = ScoreRequest(crm: 5, featureSchemaHash: 7, topDrivers: 3)
    var plainBytes = ByteBuffer()
    plain.encode(into: &plainBytes)
    Benchmark("Driver encode") { benchmark in
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1024)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.clear()
            driver.encode(into: &buffer)
            blackHole(buffer.writerIndex)
        }
    }
    Benchmark("Driver encodedSize") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(driver.encodedSize) }
    }
    Benchmark("ScoreRequest decode no strings no features") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try ScoreRequest(decoding: plainBytes)) }
    }
}
