import Benchmark
import TwinLocalization
import TwinMath

/// 100 frames of the association study's scene at 400 MHz (σ ≈ 0.108 m): 5 BSs over a 100 m
/// square, 7 targets, LOS blockage 0.1 per leg, NLOS probability 0.5 (`AssociationStudy`),
/// drawn once. Every iteration solves all 100: time per frame = wall clock / 100.
let associationFrames: [NetworkRanges] = {
    let settings = AssociationStudy.SceneSettings(bandwidth: 400e6, targetCount: 7)
    return (0..<100).map { AssociationStudy.scene(settings, seed: 1, trial: $0).ranges }
}()

let associationSettings = AssociationStudy.associationSettings(
    sigma: AssociationStudy.rangeSigma(bandwidth: 400e6), exclusiveRanges: true)

func registerJointAssociationBenchmarks() {
    Benchmark("JointAssociation.solve: 5 BSs, 7 targets, NLOS 0.5 (100 frames)") { benchmark in
        for frame in associationFrames { blackHole(JointAssociation.solve(frame, settings: associationSettings)) }
    }
}
