import TwinMath

/// A person walking by random waypoints: draw a free point (on the floor, or on an aisle),
/// walk to it in a straight line at a speed drawn per leg, pause, repeat. A floor waypoint is
/// accepted only if the straight walk to it keeps `radius` clear of every obstacle, so a
/// walker never passes through a machine, a rack or a building.
public struct Walker: Sendable, Equatable, Codable {
    public var position: Vec3
    public var velocity: Vec3 = .zero
    var target: Vec3
    /// Arc lengths on the aisle, when walking an aisle.
    var aisleS: Double = 0
    var aisleTarget: Double = 0
    var speed: Double = 0
    var pauseLeft: Double
    var rng: SeededRandom

    /// Draws a start position. Returns nil when the area has no free point.
    init?(spec: RandomWalkSpec, floor: WalkableFloor, aisle: Polyline?, rng: SeededRandom) {
        var rng = rng
        if let aisle {
            aisleS = rng.uniform() * aisle.length
            aisleTarget = aisleS
            let p = aisle.pose(at: aisleS).position
            position = Vec3(p.x, p.y, spec.height)
        } else {
            guard let p = floor.randomFreePoint(in: spec.area, radius: spec.radius, rng: &rng) else { return nil }
            position = Vec3(p.x, p.y, spec.height)
        }
        target = position
        pauseLeft = rng.uniform(spec.pause.lowerBound, spec.pause.upperBound)
        self.rng = rng
    }

    mutating func step(dt: Double, spec: RandomWalkSpec, floor: WalkableFloor, aisle: Polyline?) {
        if pauseLeft > 0 {
            pauseLeft -= dt
            velocity = .zero
            if pauseLeft > 0 { return }
            if !chooseLeg(spec: spec, floor: floor, aisle: aisle) {
                pauseLeft = 1  // nowhere to go from here right now: wait and try again
                return
            }
        }
        let step = speed * dt
        if let aisle {
            let remaining = aisleTarget - aisleS
            let move = max(-step, min(step, remaining))
            aisleS += move
            let pose = aisle.pose(at: aisleS)
            let p = Vec3(pose.position.x, pose.position.y, spec.height)
            velocity = (p - position) / dt
            position = p
            if abs(aisleTarget - aisleS) < 1e-9 { arrive(spec: spec) }
            return
        }
        let d = target - position
        let distance = d.norm
        if distance <= step {
            velocity = d / dt
            position = target
            arrive(spec: spec)
        } else {
            velocity = d / distance * speed
            position += velocity * dt
        }
    }

    private mutating func arrive(spec: RandomWalkSpec) {
        pauseLeft = max(rng.uniform(spec.pause.lowerBound, spec.pause.upperBound), 1e-9)
    }

    private mutating func chooseLeg(spec: RandomWalkSpec, floor: WalkableFloor, aisle: Polyline?) -> Bool {
        speed = rng.uniform(spec.speed.lowerBound, spec.speed.upperBound)
        if let aisle {
            aisleTarget = rng.uniform() * aisle.length
            return true
        }
        let here = Point2(position.x, position.y)
        for _ in 0..<32 {
            guard let p = floor.randomFreePoint(in: spec.area, radius: spec.radius, rng: &rng, tries: 1) else { continue }
            if floor.isClear(from: here, to: p, radius: spec.radius) {
                target = Vec3(p.x, p.y, spec.height)
                return true
            }
        }
        return false
    }
}

/// The floor a walker may use: the map's rectangle minus obstacle footprints.
struct WalkableFloor: Sendable {
    let size: Point2
    /// Obstacles that reach down to walking height.
    let obstacles: [Prism]

    init(map: MapSpec, headroom: Double = 2.0) {
        size = map.size
        obstacles = map.obstacles.filter { $0.zMin < headroom }
    }

    func randomFreePoint(in area: (Point2, Point2)?, radius: Double, rng: inout SeededRandom, tries: Int = 1000) -> Point2? {
        let lo = pointwiseMax(area?.0 ?? .zero, Point2(radius, radius))
        let hi = pointwiseMin(area?.1 ?? size, size - Point2(radius, radius))
        guard hi.x > lo.x, hi.y > lo.y else { return nil }
        for _ in 0..<tries {
            let p = Point2(rng.uniform(lo.x, hi.x), rng.uniform(lo.y, hi.y))
            if !obstacles.contains(where: { $0.footprintContains(p, clearance: radius) }) { return p }
        }
        return nil
    }

    func isClear(from a: Point2, to b: Point2, radius: Double) -> Bool {
        !obstacles.contains { $0.footprintIntersects(a, b, clearance: radius) }
    }
}
