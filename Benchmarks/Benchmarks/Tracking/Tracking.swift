import Benchmark
import TwinMath
import TwinTracking

/// A tracking scene of `targets` targets at a constant density (one per 40 m × 40 m cell,
/// 0–30 m high) moving at up to 15 m/s with random accelerations, seen at 10 frames/s with
/// P_D = 0.95, σ = 0.5 m per axis and 5 % as many clutter detections as targets, uniform over
/// the area. Frames 0..<20 warm the tracker up (births and confirmations); the benchmark runs
/// frames 20..<120 from that warmed state. Drawn once per target count.
struct TrackingScene {
    var warm: MultiTargetTracker
    var frames: [[Detection]]

    init(targets: Int, settings: TrackerSettings) {
        var rng = SeededRandom(seed: 42).substream(targets)
        let side = 40 * Double(targets).squareRoot()
        var p = (0..<targets).map { _ in Vec3(rng.uniform(0, side), rng.uniform(0, side), rng.uniform(0, 30)) }
        var v = (0..<targets).map { _ in Vec3(rng.uniform(-15, 15), rng.uniform(-15, 15), 0) }
        let r = SymmetricMatrix3(xx: 0.25, xy: 0, xz: 0, yy: 0.25, yz: 0, zz: 0.25)
        var all: [[Detection]] = []
        for _ in 0..<120 {
            var frame: [Detection] = []
            for i in 0..<targets {
                v[i] += 0.1 * Vec3(rng.gaussian(), rng.gaussian(), 0)
                p[i] += 0.1 * v[i]
                if rng.bernoulli(0.95) {
                    frame.append(Detection(position: p[i] + 0.5 * Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian()), covariance: r))
                }
            }
            for _ in 0..<(targets / 20) {
                frame.append(Detection(position: Vec3(rng.uniform(0, side), rng.uniform(0, side), rng.uniform(0, 30)), covariance: r))
            }
            all.append(frame)
        }
        guard var tracker = (try? Trackers.make(settings)) as? MultiTargetTracker else { fatalError("invalid tracker settings") }
        for k in 0..<20 { _ = tracker.update(frameIndex: k, time: Double(k) * 0.1, detections: all[k]) }
        warm = tracker
        frames = Array(all[20...])
    }

    /// Runs the 100 measured frames from the warmed state.
    func run() -> Int {
        var tracker = warm
        for (k, frame) in frames.enumerated() { _ = tracker.update(frameIndex: 20 + k, time: Double(20 + k) * 0.1, detections: frame) }
        return tracker.state.tracks.count
    }
}

let cv = TrackerSettings(name: "gnn-cv", processNoise: 1)
let imm = TrackerSettings(name: "gnn-imm", processNoise: 1)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(5), maxIterations: 200)
    // Each iteration is 100 frames: tracker frames/s = throughput × 100.
    for targets in [20, 200, 2000] {
        let scene = TrackingScene(targets: targets, settings: cv)
        Benchmark("Tracker gnn-cv: \(targets) targets (100 frames)") { _ in blackHole(scene.run()) }
    }
    for (name, settings) in [("jpda-cv", TrackerSettings(name: "jpda-cv", processNoise: 1)), ("gnn-imm", imm)] {
        let scene = TrackingScene(targets: 200, settings: settings)
        Benchmark("Tracker \(name): 200 targets (100 frames)") { _ in blackHole(scene.run()) }
    }
}
