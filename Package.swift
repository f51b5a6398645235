// swift-tools-version: 6.1
// isac-twin: a digital-twin tracking simulator for 6G integrated sensing and communication.
// Module layering (lower never imports higher): see docs/architecture.md, "Modules".
import PackageDescription

let package = Package(
    name: "isac-twin",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "isac-twin", targets: ["isac-twin"]),
        .library(name: "IsacTwin", targets: ["TwinConfiguration", "TwinMath", "TwinWorld", "TwinRadio", "TwinSensing", "TwinLocalization", "TwinTracking", "TwinStore", "TwinMetrics", "TwinReport", "TwinEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    // Each target declares exactly the modules its sources import (lower never imports higher;
    // docs/architecture.md, "Modules").
    targets: [
        // System libraries (Debian: libopenblas-dev, liblapacke-dev, libfftw3-dev).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3", providers: [.apt(["libfftw3-dev"])]),

        .target(name: "TwinConfiguration"),
        .target(
            name: "TwinMath",
            dependencies: [
                "CBLAS", "CLAPACKE", "CFFTW", .product(name: "RealModule", package: "swift-numerics"),
                .product(name: "ComplexModule", package: "swift-numerics"),
            ]),
        .target(
            name: "TwinTracking",
            dependencies: ["TwinConfiguration", "TwinMath", .product(name: "RealModule", package: "swift-numerics")]),
        .target(
            name: "TwinWorld",
            dependencies: [
                "TwinConfiguration", "TwinMath", "TwinTracking", .product(name: "Yams", package: "Yams"),
                .product(name: "RealModule", package: "swift-numerics"),
            ]),
        .target(
            name: "TwinRadio",
            dependencies: [
                "TwinMath", "TwinWorld", .product(name: "RealModule", package: "swift-numerics"),
                .product(name: "ComplexModule", package: "swift-numerics"),
            ]),
        .target(
            name: "TwinSensing",
            dependencies: [
                "TwinConfiguration", "TwinMath", "TwinWorld", "TwinRadio", .product(name: "RealModule", package: "swift-numerics"),
            ]),
        .target(
            name: "TwinLocalization",
            dependencies: ["TwinConfiguration", "TwinMath", "TwinSensing", "TwinWorld"]),
        .target(
            name: "TwinStore",
            dependencies: [
                "TwinMath", "TwinWorld", "TwinSensing", "TwinLocalization", "TwinTracking", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .target(
            name: "TwinMetrics",
            dependencies: ["TwinMath"]),
        .target(
            name: "TwinReport",
            dependencies: ["TwinMath", "TwinWorld", "TwinStore", "TwinMetrics"]),
        .target(
            name: "TwinEngine",
            dependencies: [
                "TwinConfiguration", "TwinMath", "TwinWorld", "TwinSensing", "TwinLocalization", "TwinTracking", "TwinStore",
                "TwinMetrics", "TwinReport",
            ]),
        .executableTarget(
            name: "isac-twin",
            dependencies: [
                "TwinEngine", "TwinWorld", "TwinRadio", "TwinSensing", "TwinStore", "TwinLocalization", "TwinTracking", "TwinMetrics",
                "TwinMath", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "TwinMathTests", dependencies: ["TwinMath", .product(name: "ComplexModule", package: "swift-numerics")]),
        .testTarget(name: "TwinWorldTests", dependencies: ["TwinWorld", "TwinMath", "TwinTracking", "TwinConfiguration"]),
        .testTarget(
            name: "TwinRadioTests",
            dependencies: [
                "TwinRadio", "TwinMath", "TwinWorld", .product(name: "RealModule", package: "swift-numerics"),
                .product(name: "ComplexModule", package: "swift-numerics"),
            ]),
        .testTarget(
            name: "TwinSensingTests",
            dependencies: [
                "TwinSensing", "TwinRadio", "TwinLocalization", "TwinMath", "TwinWorld",
                .product(name: "RealModule", package: "swift-numerics"),
            ]),
        .testTarget(name: "TwinLocalizationTests", dependencies: ["TwinLocalization", "TwinSensing", "TwinWorld", "TwinMath"]),
        .testTarget(name: "TwinTrackingTests", dependencies: ["TwinTracking", "TwinMath"]),
        .testTarget(name: "TwinMetricsTests", dependencies: ["TwinMetrics", "TwinMath", "TwinEngine", "TwinStore"]),
        .testTarget(
            name: "TwinStoreTests",
            dependencies: [
                "TwinStore", "TwinEngine", "TwinLocalization", "TwinSensing", "TwinMath", "TwinMetrics", "TwinWorld",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "TwinReportTests", dependencies: ["TwinReport", "TwinEngine", "TwinStore", "TwinMetrics", "TwinWorld"]),
        .testTarget(
            name: "TwinEngineTests",
            dependencies: [
                "TwinEngine", "TwinConfiguration", "TwinLocalization", "TwinMath", "TwinMetrics", "TwinSensing", "TwinTracking", "TwinWorld",
            ]),
        // Runs the isac-twin executable (built with the tests).
        .testTarget(name: "EndToEndTests", dependencies: ["TwinStore", "isac-twin"]),
        .testTarget(
            name: "GoldenTests", dependencies: ["TwinEngine", "TwinStore", "TwinWorld"],
            exclude: ["golden-digests.json"]),
    ],
    swiftLanguageModes: [.v6]
)
