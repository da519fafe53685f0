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
        .executable(name: "churnwirec", targets: ["churnwirec"]),
        .executable(name: "churnguard", targets: ["churnguard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // liblz4 from the system (Debian: liblz4-dev).
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),

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

        // The command line everything hangs off.
        .executableTarget(
            name: "churnguard",
            dependencies: [
                "ChurnWire",
                "ChurnModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),

        // Test support: helpers the test targets share.
        .target(
            name: "ChurnTesting",
            swiftSettings: strictSettings
        ),

        .testTarget(
            name: "ChurnWireTests",
            dependencies: [
                "ChurnWire",
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
            name: "ChurnWireCompilerTests",
            dependencies: ["ChurnWireCompiler", "ChurnTesting", "churnwirec"],
            swiftSettings: strictSettings
        ),
    ]
)
