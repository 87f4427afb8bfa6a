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
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
        .target(name: "EdgeAgent", dependencies: ["SLM", "YAML"]),
        // libmosquitto, the system's MQTT client library: every C call of the MQTT target goes through this module.
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .target(name: "MQTT", dependencies: ["CMosquitto", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "edge-agent",
            dependencies: [
                "EdgeAgent", "SLM",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SLMKernelsTests", dependencies: ["SLMKernels"]),
        .testTarget(name: "SLMTests", dependencies: ["SLM", "SLMKernels"], swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "EdgeAgentTests", dependencies: ["EdgeAgent", "YAML", "edge-agent"]),
        .testTarget(name: "MQTTTests", dependencies: ["MQTT"]),
    ]
)
