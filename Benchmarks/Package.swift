// swift-tools-version: 6.1
// Benchmarks for isac-twin, kept out of the main package so `swift test` never builds them.
// Run with `make bench` (or `swift package --disable-sandbox benchmark` in this folder).
import PackageDescription

/// A benchmark executable: ordo-one/benchmark's plugin over one folder of Benchmarks/.
func benchmark(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            "BenchmarkSupport",
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: "IsacTwin", package: "isac-twin"),
        ],
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")])
}

let package = Package(
    name: "isac-twin-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        // `name:` pins the identity, so the checkout folder's name does not matter.
        .package(name: "isac-twin", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "IsacTwin", package: "isac-twin")],
            path: "Benchmarks/BenchmarkSupport"),
        benchmark("WorldStep"),
        benchmark("Sensing"),
        benchmark("Localization"),
        benchmark("Tracking"),
        benchmark("Waveform"),
    ],
    swiftLanguageModes: [.v6]
)
