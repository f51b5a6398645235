import Benchmark
import TwinLocalization
import TwinMath

/// 1,000 noisy sets of 6 monostatic ranges (anchors on a 100 m square at 10 and 25 m, targets
/// inside at 1.5 m), drawn once; every iteration solves all of them.
let problems: [[RangeObservation]] = {
    var rng = SeededRandom(seed: 7)
    let anchors = [Vec3(0, 0, 10), Vec3(100, 0, 25), Vec3(100, 100, 10), Vec3(0, 100, 25), Vec3(50, 0, 10), Vec3(50, 100, 25)]
    return (0..<1000).map { _ in
        let target = Vec3(rng.uniform(10, 90), rng.uniform(10, 90), 1.5)
        return anchors.map { a in
            .monostatic(anchor: a, range: a.distance(to: target) + 0.1 * rng.gaussian(), variance: 0.01)
        }
    }
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(5), maxIterations: 50)
    // Each iteration is 1,000 solves: solves/s = throughput × 1,000.
    Benchmark("GaussNewton.solve: 6 monostatic ranges, closed-form start") { benchmark in
        for problem in problems { blackHole(try GaussNewton.solve(problem)) }
    }
    // Each iteration is 100 frames: time per frame = wall clock / 100.
    registerJointAssociationBenchmarks()
    registerFusionCentreBenchmarks()
}
