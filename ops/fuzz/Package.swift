// swift-tools-version: 6.2
// libFuzzer targets for ChurnGuard's decoders. Its own package, so the main build never compiles
// with the fuzzer sanitizer. Build and run with ops/fuzz/run (see ops/fuzz/README.md).
import PackageDescription

let package = Package(
    name: "ChurnGuardFuzz",
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "FuzzWire",
            dependencies: [
                "FuzzDriver",
                .product(name: "ChurnWire", package: "main"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzHistoryArchive",
            dependencies: [
                "FuzzDriver",
                .product(name: "ChurnModel", package: "main"),
                .product(name: "ChurnWire", package: "main"),
            ]
        ),
    ]
)
