import Benchmark
import BenchmarkSupport
import TwinLocalization
import TwinMath
import TwinSensing
import TwinWorld

/// 20 consecutive frames of factory.yaml (17 targets, 18 BSs) in `mode`, as the fusion
/// centre sees them (after clock-offset calibration), drawn once.
func factoryProblems(_ mode: SensingMode) -> [LocalizationProblem] {
    let spec = loadWorld("factory")
    guard var world = try? World(spec: spec) else { fatalError("factory.yaml does not build") }
    var sensing = SensingEngine(world: spec, movers: world.movers, mode: mode)
    let stations = spec.baseStations.map { (name: $0.name, position: $0.position) }
    let sigma = spec.ue.gnssSigmaHorizontal
    return (0..<20).map { _ in
        let (frame, _) = sensing.observe(world.step(dt: spec.simulation.dt))
        return LocalizationProblem(frame: frame, links: sensing.links, baseStations: stations, ueReportVariance: sigma * sigma)
    }
}

let monostaticFrames = factoryProblems(.monostatic)
let bistaticFrames = factoryProblems(.trpTrp)

/// 1,000 single-target problems with 5 monostatic ranges and their arrival angles (15
/// observations), drawn once, for the general (angles) Gauss–Newton solver.
let angleProblems: [TargetObservations] = {
    var rng = SeededRandom(seed: 9)
    let anchors = [Vec3(0, 0, 12), Vec3(100, 0, 8), Vec3(0, 100, 10), Vec3(100, 100, 14), Vec3(50, 50, 20)]
    return (0..<1000).map { _ in
        let x = Vec3(rng.uniform(10, 90), rng.uniform(10, 90), 1.5)
        var ranges: [RangeObservation] = []
        var angles: [AngleObservation] = []
        for a in anchors {
            ranges.append(.monostatic(anchor: a, range: a.distance(to: x) + 0.1 * rng.gaussian(), variance: 0.01))
            for c in [AngleObservation.Component.azimuth, .elevation] {
                let truth = AngleObservation(anchor: a, component: c, value: 0, variance: 1e-4).predicted(at: x)
                angles.append(AngleObservation(anchor: a, component: c, value: truth + 0.01 * rng.gaussian(), variance: 1e-4))
            }
        }
        return TargetObservations(ranges: ranges, angles: angles)
    }
}()

func registerFusionCentreBenchmarks() {
    // Each iteration is 1,000 solves: solves/s = throughput × 1,000.
    Benchmark("GaussNewton.solve (general): 5 ranges + 10 angles") { benchmark in
        for problem in angleProblems { blackHole(try GaussNewton.solve(problem, initial: Vec3(50, 50, 1.5))) }
    }
    // Each iteration is 20 frames: time per frame = wall clock / 20.
    for kind in ["gauss-newton", "time-angle", "ellipsoid"] {
        let localizer = Localizers.make(kind)!
        Benchmark("Localizer \(kind): factory monostatic (20 frames)") { benchmark in
            for problem in monostaticFrames { blackHole(try localizer.localize(problem)) }
        }
    }
    for kind in ["gauss-newton", "time-angle"] {
        let localizer = Localizers.make(kind)!
        Benchmark("Localizer \(kind): factory trp-trp (20 frames)") { benchmark in
            for problem in bistaticFrames { blackHole(try localizer.localize(problem)) }
        }
    }
}
