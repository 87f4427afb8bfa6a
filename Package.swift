// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "edge-agent",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "edge-agent", targets: ["edge-agent"]),
        .library(name: "SLM", targets: ["SLM"]),
        .library(name: "EdgeAgent", targets: ["EdgeAgent"]),
    ],
    traits: [
        // The cloud escalation's HTTPS client (AsyncHTTPClient on SwiftNIO, with BoringSSL) is about half of the
        // release binary; without this trait the build is local-only and refuses a `cloud:` config section.
        .trait(name: "Cloud", description: "Escalation to a cloud LLM over HTTPS (AsyncHTTPClient, SwiftNIO)."),
        .default(enabledTraits: ["Cloud"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
    ],
    targets: [
        // Quantized dot products and the float primitives of the forward pass. C, because baseline-x86-64 Swift
        // lowers SIMD fused multiply-adds and half-float conversions to library calls; each fast path is chosen at
        // run time, so the binary stays portable.
        .target(name: "SLMKernels"),
        .target(
            name: "SLM",
            dependencies: ["SLMKernels"],
            // The engine hands raw pointers into the memory map and the scratch buffers to its worker pool.
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // libyaml, the system's YAML parser, behind one door; the YAML target builds a node tree with lines from it.
        // (A YAML library built on Foundation would pull Foundation's full ICU data into the static binary.)
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(name: "YAML", dependencies: ["CYAML"]),
        .target(
            name: "EdgeAgent",
            dependencies: [
                "SLM", "MQTT", "YAML", "CSQLite",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client", condition: .when(traits: ["Cloud"])),
                .product(name: "NIOCore", package: "swift-nio", condition: .when(traits: ["Cloud"])),
                .product(name: "NIOHTTP1", package: "swift-nio", condition: .when(traits: ["Cloud"])),
            ]
        ),
        // The system's SQLite (the outbox and the learned commands): a C library already on every board, and its
        // static archive ships in the same Debian package, so the release binary stays static-linkable.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // libmosquitto, the system's MQTT client library: every C call of the MQTT target goes through this module.
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .target(name: "MQTT", dependencies: ["CMosquitto", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "edge-agent",
            dependencies: [
                "EdgeAgent", "SLM", "MQTT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "SLMKernelsTests", dependencies: ["SLMKernels"]),
        .testTarget(name: "SLMTests", dependencies: ["SLM", "SLMKernels"], swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "EdgeAgentTests", dependencies: ["EdgeAgent", "YAML", "TestPeers", "edge-agent"]),
        // The real peers the tests run: a mosquitto broker and the cloud test server, each on a free loopback port.
        // Not a product.
        .target(name: "TestPeers", dependencies: ["MQTT"], path: "Tests/TestPeers"),
        .testTarget(name: "MQTTTests", dependencies: ["MQTT", "TestPeers"]),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "EdgeAgent", "MQTT", "TestPeers", "edge-agent",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
