import Benchmark
import BenchmarkSupport
import Foundation
import TwinMath
import TwinRadio
import TwinSensing
import TwinWorld

/// Waveform fidelity: `SensingEngine.observe` of factory.yaml in trp-trp mode (306 links, each
/// synthesised and processed: 834 pilots × 14 symbols, 1024 × 16 map) per frame, and one link's
/// synthesis + processing alone.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(10), maxIterations: 10)
    var factory = loadWorld("factory")
    factory.sensing.fidelity = .all(.waveform)
    let frames = 10
    // Each iteration observes 10 frames: frames/s = throughput × 10.
    Benchmark("SensingEngine.observe: factory.yaml, trp-trp, waveform fidelity (10 frames)") { benchmark in
        var world = try World(spec: factory)
        let snapshots = (0..<frames).map { _ in world.step(dt: factory.simulation.dt) }
        var sensing = SensingEngine(world: factory, movers: world.movers, mode: .trpTrp)
        benchmark.startMeasurement()
        for snapshot in snapshots { blackHole(sensing.observe(snapshot)) }
    }
    Benchmark("WaveformProcessor: one factory link, 8 taps, synthesis + processing") { benchmark in
        let processor = WaveformProcessor(numerology: WaveformStudy.factoryNumerology(comb: 4), settings: .default)
        var rng = SeededRandom(seed: 1)
        let taps = (0..<8).map { WaveformTap(pathLength: 20 + 9 * Double($0), rate: 1, snr: 1e5 / Double($0 + 1), phase: Double($0)) }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            processor.synthesize(taps, rng: &rng)
            blackHole(processor.process())
        }
    }
}
