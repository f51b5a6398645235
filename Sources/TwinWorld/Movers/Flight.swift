import TwinMath

/// A UAV flying a waypoint mission: straight legs at the horizontal `speed`, with the vertical
/// rate capped by `climbRate` (a leg lasts max(d_horizontal/speed, |dz|/climbRate)), hovering
/// `loiter` seconds at each waypoint; after the last waypoint it flies back to the first when
/// the mission repeats, else it hovers there. Legs were checked clear of obstacles when the
/// world file was read.
public struct Flight: Sendable, Equatable, Codable {
    public var position: Vec3
    public var velocity: Vec3 = .zero
    /// Index of the waypoint being flown to.
    var target: Int
    var loiterLeft: Double = 0
    var finished = false

    /// Starts at waypoint `start` (several UAVs of one entry start at successive waypoints).
    init(spec: WaypointMissionSpec, start: Int) {
        let k = start % spec.waypoints.count
        position = spec.waypoints[k]
        target = (k + 1) % spec.waypoints.count
        loiterLeft = spec.loiter
        finished = spec.waypoints.count == 1 || (!spec.repeats && k == spec.waypoints.count - 1)
    }

    mutating func step(dt: Double, spec: WaypointMissionSpec) {
        if finished {
            velocity = .zero
            return
        }
        if loiterLeft > 0 {
            loiterLeft -= dt
            velocity = .zero
            return
        }
        let goal = spec.waypoints[target]
        let d = goal - position
        let horizontal = (d.x * d.x + d.y * d.y).squareRoot()
        let legTime = max(horizontal / spec.speed, abs(d.z) / spec.climbRate)
        if legTime <= dt {
            velocity = d / dt
            position = goal
            loiterLeft = spec.loiter
            if target == spec.waypoints.count - 1 && !spec.repeats {
                finished = true
            } else {
                target = (target + 1) % spec.waypoints.count
            }
        } else {
            velocity = d / legTime
            position += velocity * dt
        }
    }
}
