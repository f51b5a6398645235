import TwinLocalization
import TwinMath

/// Test scenes: anchor layouts and noise-free observations computed from closed-form geometry
/// (|x − a| and |x − tx| + |x − rx|), independent of `RangeObservation.predicted`.
enum Scene {
    /// A pedestrian-height target inside the anchors' footprint.
    static let target = Vec3(40, 55, 1.5)

    /// Six base stations at different mounting heights (span 3-D space).
    static let anchors3D: [Vec3] = [
        Vec3(0, 0, 30), Vec3(100, 0, 25), Vec3(0, 100, 10),
        Vec3(100, 100, 40), Vec3(50, -20, 5), Vec3(-30, 60, 20),
    ]

    /// Four base stations all mounted at 25 m (coplanar).
    static let anchorsAt25: [Vec3] = [Vec3(0, 0, 25), Vec3(100, 0, 25), Vec3(0, 100, 25), Vec3(100, 100, 25)]

    static func monostatic(_ anchors: [Vec3], target: Vec3 = target, variance: Double = 1) -> [RangeObservation] {
        anchors.map { .monostatic(anchor: $0, range: (target - $0).norm, variance: variance) }
    }

    static func bistatic(
        _ pairs: [(tx: Vec3, rx: Vec3)], target: Vec3 = target, variance: Double = 1
    ) -> [RangeObservation] {
        pairs.map {
            .bistatic(
                transmitter: $0.tx, receiver: $0.rx, sumRange: (target - $0.tx).norm + (target - $0.rx).norm,
                variance: variance)
        }
    }

    /// Two transmitters and three receivers, every tx/rx combination: no common focus.
    static var crossPairs: [(tx: Vec3, rx: Vec3)] {
        let tx = [anchors3D[0], anchors3D[1]]
        let rx = [anchors3D[2], anchors3D[3], anchors3D[4]]
        return tx.flatMap { t in rx.map { (tx: t, rx: $0) } }
    }
}
