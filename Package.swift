// swift-tools-version: 6.2
import PackageDescription

/// Settings every ChurnGuard target shares: Swift 6 language mode (strict concurrency) is the
/// tools-version default; these add the upcoming features STYLE.md asks for and make warnings fatal.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "ChurnGuard",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ChurnWire", targets: ["ChurnWire"]),
        .library(name: "ChurnModel", targets: ["ChurnModel"]),
        .library(name: "ChurnClient", targets: ["ChurnClient"]),
        .library(name: "ChurnLoad", targets: ["ChurnLoad"]),
        .library(name: "ChurnTransport", targets: ["ChurnTransport"]),
        .library(name: "ChurnScorer", targets: ["ChurnScorer"]),
        .executable(name: "churnwirec", targets: ["churnwirec"]),
        .executable(name: "churnguard", targets: ["churnguard"]),
        .executable(name: "churnbench", targets: ["churnbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // glibc's malloc.h (malloc_trim: a scorer hands a swapped-out model's memory back).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),

        // liblz4 from the system (Debian: liblz4-dev).
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),

        // Threads of their own for tasks that must not run on the cooperative pool, or must run
        // at another priority.
        .target(name: "ChurnThreads", swiftSettings: strictSettings),

        // Bytes only: the frame codec, the message runtime and the code generated from wire/.
        .target(
            name: "ChurnWire",
            dependencies: [
                "CLZ4",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),

        // Features, models and their explanations: pure math, no I/O (ChurnWire for the artifact format).
        .target(
            name: "ChurnModel",
            dependencies: ["ChurnWire"],
            swiftSettings: strictSettings
        ),

        // Trainers: logistic regression and histogram gradient boosting, with the out-of-time split.
        .target(
            name: "ChurnTraining",
            dependencies: ["ChurnModel"],
            swiftSettings: strictSettings
        ),

        // The model registry in PostgreSQL: migrations, versions, aliases, audit, and the
        // watcher that hot-swaps a scorer's model.
        .target(
            name: "ChurnRegistry",
            dependencies: [
                "ChurnModel",
                "ChurnThreads",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "ChurnWire",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // Training data: the seeded demo customer base, transaction logs turned into monthly
        // histories, and labelled snapshots.
        .target(
            name: "ChurnDatasets",
            dependencies: ["ChurnModel"],
            swiftSettings: strictSettings
        ),

        // TLS 1.3 + HTTP/2 plumbing for the wire RPCs: server, stream handlers, client connections.
        .target(
            name: "ChurnTransport",
            dependencies: [
                "ChurnWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // Development certificates: a CA plus node and client certificates (for `churnguard certs dev`
        // and the tests). Not on any serving path.
        .target(
            name: "ChurnCertificates",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),

        // The scorer node: the scoring handlers, the served model, configuration, the service.
        .target(
            name: "ChurnScorer",
            dependencies: [
                "ChurnWire",
                "ChurnModel",
                "ChurnTransport",
                "CMalloc",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // The load-test harness: open- and closed-loop runs measured from the intended send time
        // into HdrHistograms, the targets (ChurnGuard unary and batch, the peers), the transport
        // floor server, scenarios, JSON results, plots and comparisons.
        .target(
            name: "ChurnLoad",
            dependencies: [
                "ChurnWire",
                "ChurnTransport",
                "ChurnClient",
                "ChurnScorer",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // The SDK internal services link: pooled connections, unary and streamed scoring.
        .target(
            name: "ChurnClient",
            dependencies: [
                "ChurnWire",
                "ChurnTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // The schema compiler: parser, checker, Swift generator and compatibility check.
        .target(
            name: "ChurnWireCompiler",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "churnwirec",
            dependencies: [
                "ChurnWireCompiler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // The load-test harness's command line (bench/README.md).
        .executableTarget(
            name: "churnbench",
            dependencies: [
                "ChurnLoad",
                "ChurnWire",
                "ChurnTransport",
                "ChurnClient",
                "ChurnCertificates",
                "ChurnRegistry",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // The command line everything hangs off.
        .executableTarget(
            name: "churnguard",
            dependencies: [
                "ChurnWire",
                "ChurnModel",
                "ChurnTraining",
                "ChurnDatasets",
                "ChurnRegistry",
                "ChurnTransport",
                "ChurnScorer",
                "ChurnClient",
                "ChurnCertificates",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // Test support: helpers the test targets share.
        .target(
            name: "ChurnTesting",
            dependencies: [
                "ChurnThreads",
                "ChurnTransport",
                "ChurnCertificates",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),

        .testTarget(
            name: "ChurnWireTests",
            dependencies: [
                "ChurnWire",
                "ChurnTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ChurnModelTests",
            dependencies: ["ChurnModel", "ChurnWire", "ChurnTesting", "churnguard"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ChurnTrainingTests",
            dependencies: ["ChurnTraining", "ChurnDatasets", "ChurnModel", "ChurnTesting", "churnguard"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ChurnRegistryTests",
            dependencies: [
                "ChurnRegistry",
                "ChurnModel",
                "ChurnTesting",
                .product(name: "Prometheus", package: "swift-prometheus"),
                "churnguard",
                "ChurnScorer",
                "ChurnClient",
                "ChurnTransport",
                "ChurnWire",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ChurnTransportTests",
            dependencies: [
                "ChurnTransport",
                "ChurnWire",
                "ChurnTesting",
                "ChurnCertificates",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ChurnScorerTests",
            dependencies: [
                "ChurnScorer",
                "ChurnClient",
                "ChurnModel",
                "ChurnTransport",
                "ChurnWire",
                "ChurnTesting",
                .product(name: "Prometheus", package: "swift-prometheus"),
                "ChurnCertificates",
                "churnguard",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ChurnWireCompilerTests",
            dependencies: ["ChurnWireCompiler", "ChurnTesting", "churnwirec"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ChurnLoadTests",
            dependencies: [
                "ChurnLoad",
                "ChurnClient",
                "ChurnTransport",
                "ChurnWire",
                "ChurnTesting",
                "churnbench",
                "churnguard",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
