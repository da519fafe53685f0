// swift-tools-version: 6.2
// The gRPC peer: ChurnGuard's model served by grpc-swift 2 (protobuf over HTTP/2 + TLS), and a
// load generator for it on grpc-swift's own client, measured by ChurnGuard's harness (ChurnLoad)
// so that both sides are timed the same way. Its own package, so the main build never pulls gRPC.
// See bench/README.md.
import Foundation
import PackageDescription

/// The root package's identity: SwiftPM names a path dependency after its folder, which is
/// `main` in one checkout and something else in a clone elsewhere (CI's, for one).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "GRPCPeer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../../.."),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .executableTarget(
            name: "GRPCPeer",
            dependencies: [
                .product(name: "ChurnModel", package: root),
                .product(name: "ChurnLoad", package: root),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        )
    ]
)
