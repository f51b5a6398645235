import TwinMath
import TwinWorld

/// The operators' own coordinate frames (docs/domain.md §8; world file `operators[].frameOffset`,
/// `frameRotationDeg`), as the sensing chain applies them when the world has a `cooperation`
/// section.
///
/// Each operator surveys its sites and points its arrays in its own frame: a world point w has
/// operator coordinates R(−θ)(w − o) (`FrameTransform`), and an azimuth measured at one of its
/// base stations is the world azimuth minus θ (elevations are unchanged: the frames share z).
/// A UE reports GNSS positions and its own angles in the world frame.
public struct OperatorFrames: Sendable, Equatable {
    /// Index into the world's operators of each base station's operator.
    public let operatorOfStation: [Int]
    /// Each operator's true frame → world transform.
    public let toWorld: [FrameTransform]

    public init(world: WorldSpec) {
        let names = world.operators.map(\.name)
        operatorOfStation = world.baseStations.map { names.firstIndex(of: $0.operatorName) ?? 0 }
        toWorld = world.operators.map(\.frameToWorld)
    }

    /// Base station `i`'s site as its operator records it (in the operator's frame).
    public func reportedSite(_ i: Int, world position: Vec3) -> Vec3 {
        toWorld[operatorOfStation[i]].inverse.apply(position)
    }

    /// Turns world-frame azimuths of base-station arrays into their operators' frames: an
    /// arrival at a receiving BS and a departure at a transmitting BS lose their operator's θ.
    public func report(_ measurements: inout [Measurement], links: [SensingLink]) {
        func rotation(_ node: SensingNode) -> Double? {
            guard case .baseStation(let i) = node else { return nil }
            let theta = toWorld[operatorOfStation[i]].rotation
            return theta == 0 ? nil : theta
        }
        for k in measurements.indices {
            let link = links[measurements[k].linkId]
            if let theta = rotation(link.receiver), let az = measurements[k].aoaAzimuth {
                measurements[k].aoaAzimuth = wrapAngle(az - theta)
            }
            if let theta = rotation(link.transmitter), let az = measurements[k].aodAzimuth {
                measurements[k].aodAzimuth = wrapAngle(az - theta)
            }
        }
    }

}
