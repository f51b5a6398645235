import Benchmark
import BenchmarkSupport
import Foundation
import TwinSensing
import TwinWorld

/// Observation generation alone: the world snapshots are stepped before the measurement
/// starts and replayed, so the figure is `SensingEngine.observe` per frame.
func observeBenchmark(_ label: String, spec: WorldSpec, mode: SensingMode, frames: Int = 200) {
    Benchmark("SensingEngine.observe: \(label), \(mode.rawValue)") { benchmark in
        var world = try World(spec: spec)
        let snapshots = (0..<frames).map { _ in world.step(dt: spec.simulation.dt) }
        var sensing = SensingEngine(world: spec, movers: world.movers, mode: mode)
        benchmark.startMeasurement()
        for snapshot in snapshots { blackHole(sensing.observe(snapshot)) }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(5), maxIterations: 20)
    // Each iteration observes 200 frames: frames/s = throughput × 200.
    let factory = loadWorld("factory")
    for mode in [SensingMode.monostatic, .hybrid] { observeBenchmark("factory.yaml", spec: factory, mode: mode) }
    observeBenchmark("road.yaml with 1000 vehicles", spec: roadWorld(vehicles: 1000), mode: .hybrid, frames: 20)
}
