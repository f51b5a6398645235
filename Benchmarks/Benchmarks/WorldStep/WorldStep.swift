import Benchmark
import Foundation
import TwinEngine
import TwinWorld

/// The shipped worlds, found relative to this file (Benchmarks/Benchmarks/WorldStep/).
let worlds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("worlds")

func load(_ name: String) -> WorldSpec {
    do { return try WorldSpec.load(path: worlds.appendingPathComponent("\(name).yaml").path) } catch {
        fatalError("\(error)")
    }
}

/// road.yaml with its car fleet scaled to `vehicles` (the other movers kept).
func road(vehicles: Int) -> WorldSpec {
    var spec = load("road")
    if let i = spec.movers.firstIndex(where: { $0.moverClass == .vehicle }) { spec.movers[i].count = vehicles }
    return spec
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 50)

    // Each iteration is 1,000 world steps (scaling factor kilo): throughput reads as steps/s ÷ 1000.
    for (label, spec) in [
        ("factory.yaml", load("factory")), ("road.yaml (54 movers)", load("road")),
        ("road.yaml, 1000 vehicles", road(vehicles: 1000)),
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
            worldFile: worlds.appendingPathComponent("factory.yaml").path,
            options: RunOptions(recordPath: path, commandLine: "bench"))
        benchmark.startMeasurement()
        blackHole(try sim.run())
    }
}
