// swift-tools-version: 6.2
// ChurnGuard's micro-benchmarks (ordo-one/benchmark). Its own package, depending on the root by
// path, so the main build never pulls the benchmark library. See bench/README.md.
import Foundation
import PackageDescription

/// The root package's identity: SwiftPM names a path dependency after its folder, which is
/// `main` in one checkout and something else in a clone elsewhere (CI's, for one).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
    .lowercased()

let package = Package(
    name: "ChurnGuardBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "WireSamples",
            dependencies: [.product(name: "ChurnWire", package: root)],
            path: "Benchmarks/WireSamples"
        ),
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: [
                "WireSamples",
                .product(name: "ChurnWire", package: root),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/WireBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The scoring handler with features sent against by CRM number (bench/README.md).
        .executableTarget(
            name: "ScoringBenchmarks",
            dependencies: [
                .product(name: "ChurnScorer", package: root),
                .product(name: "ChurnModel", package: root),
                .product(name: "ChurnTransport", package: root),
                .product(name: "ChurnWire", package: root),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ScoringBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // ChurnModel timed with the same protocol as the Python peers (bench/models-vs-peers).
        .executableTarget(
            name: "ModelPeerRun",
            dependencies: [.product(name: "ChurnModel", package: root)],
            path: "Benchmarks/ModelPeerRun"
        ),
        // A plain loop over one codec operation, for callgrind's exact instruction counts
        // (bench/callgrind-wire): repeatable where wall-clock time on a shared machine is not.
        .executableTarget(
            name: "WireProfile",
            dependencies: [
                "WireSamples",
                .product(name: "ChurnWire", package: root),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/WireProfile"
        ),
    ]
)
