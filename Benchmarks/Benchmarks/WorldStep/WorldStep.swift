import Benchmark
import BenchmarkSupport
import Foundation
import TwinEngine
import TwinWorld

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 50)

    // Each iteration is 1,000 world steps (scaling factor kilo): throughput reads as steps/s ÷ 1000.
    for (label, spec) in [
        ("factory.yaml", loadWorld("factory")), ("road.yaml (54 movers)", loadWorld("road")),
        ("road.yaml, 1000 vehicles", roadWorld(vehicles: 1000)),
    ] {
        Benchmark("World.step: \(label)") { benchmark in
            var world = try World(spec: spec)
            let dt = spec.simulation.dt
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(world.step(dt: dt))
            }
        }
    }

    // A whole run with its recording (SQLite, WAL, 50-frame transactions): 600 frames of factory.yaml.
    Benchmark("Simulation.run + recording: factory.yaml, 60 s", configuration: .init(scalingFactor: .one, maxIterations: 10)) { benchmark in
        let path = NSTemporaryDirectory() + "isac-twin-bench-\(UUID().uuidString).sqlite"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let sim = try Simulation(
            worldFile: shippedWorlds.appendingPathComponent("factory.yaml").path,
            options: RunOptions(recordPath: path, commandLine: "bench"))
        benchmark.startMeasurement()
        blackHole(try sim.run())
    }
}
