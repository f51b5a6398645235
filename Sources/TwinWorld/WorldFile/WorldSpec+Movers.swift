import TwinMath

extension WorldDecoder {
    func decodeMovers(_ value: YAMLValue, map: MapSpec?) throws -> [MoverSpec] {
        try value.sequence("a list of movers").compactMap { item in
            attempt { try decodeMover(item, map: map) }
        }
    }

    func decodeMover(_ value: YAMLValue, map: MapSpec?) throws -> MoverSpec {
        var m = try value.mapping()
        defer { m.finish() }
        let name = try m.string("name", "a mover name")
        let moverClass: MoverClass = try m.choice("class")
        let count = try m.int("count", default: 1, "a whole number of movers from 1 to 100000", where: { $0 >= 1 && $0 <= 100_000 })
        let carriesUE = try m.bool("ue", default: moverClass == .person)
        let motion: MotionSpec
        switch moverClass {
        case .vehicle, .agv:
            motion = .laneFollowing(try decodeLaneFollowing(&m, value: value, moverClass: moverClass, map: map))
        case .uav:
            motion = .waypoints(try decodeMission(&m, value: value, map: map))
        case .person:
            motion = .randomWalk(try decodeRandomWalk(&m, value: value, map: map))
        }
        return MoverSpec(name: name, moverClass: moverClass, count: count, carriesUE: carriesUE, motion: motion, line: value.line)
    }

    func decodeLaneFollowing(_ m: inout YAMLMapping, value: YAMLValue, moverClass: MoverClass, map: MapSpec?) throws -> LaneFollowingSpec {
        let vehicle = moverClass == .vehicle
        // Vehicles drive lanes of a road map, AGVs aisles of a factory hall.
        let (singular, plural) = vehicle ? ("lane", "lanes") : ("aisle", "aisles")
        var available: [String] = []
        switch map {
        case .road(let r)? where vehicle: available = r.lanes.map(\.name)
        case .factory(let f)? where !vehicle: available = f.aisles.map(\.name)
        case nil: break
        default:
            throw value.fail(
                expected: vehicle ? "vehicles on a road map (they drive lanes)" : "AGVs in a factory hall (they drive aisles)",
                found: "a \(vehicle ? "factory" : "road") map")
        }
        if map != nil && available.isEmpty {
            throw value.fail(expected: "a map with \(plural) for this \(moverClass.rawValue)", found: "a map without \(plural)")
        }
        var paths: [String] = []
        if let one = m.optional(singular) { paths = [try one.string("a \(singular) name")] }
        if let many = m.optional(plural) {
            paths += try many.sequence("a list of \(singular) names").map { try $0.string("a \(singular) name") }
        }
        for p in paths where map != nil && !available.contains(p) {
            let hint = YAMLMapping.closest(to: p, in: available).map { " (did you mean '\($0)'?)" } ?? ""
            throw value.fail(expected: "\(singular) names from the map", found: "'\(p)'\(hint)")
        }
        let desired = try m.optional("desiredSpeed")?.range("a desired speed in m/s") ?? (vehicle ? 10...14 : 1.2...1.5)
        guard desired.lowerBound > 0 else { throw value.fail(expected: "a positive desired speed", found: "\(desired)") }
        return LaneFollowingSpec(
            paths: paths, desiredSpeed: desired,
            maxAcceleration: try m.positive("maxAcceleration", default: vehicle ? 1.5 : 0.5, "an acceleration in m/s²"),
            comfortableDeceleration: try m.positive("comfortableDeceleration", default: vehicle ? 2.0 : 1.0, "a deceleration in m/s²"),
            minGap: try m.nonNegative("minGap", default: vehicle ? 2.0 : 1.0, "a standstill gap in metres"),
            timeHeadway: try m.nonNegative("timeHeadway", default: vehicle ? 1.5 : 1.0, "a time headway in seconds"),
            length: try m.positive("length", default: vehicle ? 4.5 : 1.2, "a length in metres"),
            height: try height(&m, default: moverClass.defaultHeight, map: map))
    }

    /// A mover's height above the floor: non-negative and under the map's ceiling.
    func height(_ m: inout YAMLMapping, default fallback: Double, map: MapSpec?) throws -> Double {
        let ceiling = map?.ceiling ?? .infinity
        return try m.double(
            "height", default: fallback, "a height in metres from 0 to the ceiling (\(fmt(ceiling)) m)",
            where: { $0 >= 0 && $0 <= ceiling })
    }

    func decodeMission(_ m: inout YAMLMapping, value: YAMLValue, map: MapSpec?) throws -> WaypointMissionSpec {
        let wv = try m.required("waypoints", "a list of waypoints [x, y, z] in metres")
        let items = try wv.sequence("a list of waypoints [x, y, z] in metres")
        guard !items.isEmpty else { throw wv.fail(expected: "at least one waypoint") }
        let waypoints = try items.map { try $0.vec3("a waypoint [x, y, z] in metres") }
        let repeats = try m.bool("repeat", default: true)
        if let map {
            let bounds = MapBounds(size: map.size, ceiling: map.ceiling)
            let clearance = 0.5
            for (i, p) in waypoints.enumerated() {
                if !bounds.contains(p) || p.z <= 0 {
                    context.report(at: items[i], expected: "a waypoint inside the map \(bounds), above the ground", found: fmt(p))
                } else if let o = map.obstacles.first(where: { $0.contains(p, clearance: clearance) }) {
                    context.report(
                        at: items[i], expected: "a waypoint at least \(clearance) m clear of obstacles",
                        found: "\(fmt(p)) inside \(o.kind) '\(o.name)'")
                }
            }
            let legs = waypoints.count > 1 ? (repeats ? waypoints.count : waypoints.count - 1) : 0
            for i in 0..<legs {
                let a = waypoints[i], b = waypoints[(i + 1) % waypoints.count]
                if let o = map.obstacles.first(where: { $0.intersects(a, b, clearance: clearance) }) {
                    context.report(
                        at: items[(i + 1) % waypoints.count], expected: "a straight flight from the previous waypoint clear of obstacles",
                        found: "the leg \(fmt(a)) → \(fmt(b)) passes through \(o.kind) '\(o.name)'")
                }
            }
        }
        return WaypointMissionSpec(
            waypoints: waypoints,
            speed: try m.positive("speed", default: 5, "a horizontal speed in m/s"),
            climbRate: try m.positive("climbRate", default: 2, "a climb rate in m/s"),
            loiter: try m.nonNegative("loiter", default: 0, "a loiter time in seconds"),
            repeats: repeats,
            size: try m.choice("size", default: .small))
    }

    func decodeRandomWalk(_ m: inout YAMLMapping, value: YAMLValue, map: MapSpec?) throws -> RandomWalkSpec {
        let speed = try m.optional("speed")?.range("a walking speed in m/s") ?? 0.8...1.6
        guard speed.lowerBound > 0 else { throw value.fail(expected: "a positive walking speed", found: "\(speed)") }
        let pause = try m.optional("pause")?.range("a pause in seconds") ?? 0...5
        guard pause.lowerBound >= 0 else { throw value.fail(expected: "a non-negative pause", found: "\(pause)") }
        var area: (Point2, Point2)?
        if let av = m.optional("area") {
            let corners = try av.sequence("a rectangle [[x0, y0], [x1, y1]]")
            guard corners.count == 2 else { throw av.fail(expected: "a rectangle [[x0, y0], [x1, y1]]") }
            let a = try corners[0].vec2(), b = try corners[1].vec2()
            let lo = pointwiseMin(a, b), hi = pointwiseMax(a, b)
            if let map, lo.x < 0 || lo.y < 0 || hi.x > map.size.x || hi.y > map.size.y {
                context.report(
                    at: av, expected: "an area inside the map (x 0…\(fmt(map.size.x)), y 0…\(fmt(map.size.y)))",
                    found: "\(fmt(lo))–\(fmt(hi))")
            }
            area = (lo, hi)
        }
        let aisleValue = m.optional("aisle")
        let aisle = try aisleValue?.string("an aisle name")
        if let aisle, let aisleValue, let map {
            guard case .factory(let f) = map else {
                throw aisleValue.fail(expected: "walking on aisles only in a factory hall", found: "'\(aisle)' on a road map")
            }
            if !f.aisles.contains(where: { $0.name == aisle }) {
                throw aisleValue.fail(
                    expected: "one of the aisles " + f.aisles.map { "'\($0.name)'" }.joined(separator: ", "), found: "'\(aisle)'")
            }
        }
        let height = try height(&m, default: MoverClass.person.defaultHeight, map: map)
        let radius = try m.positive("radius", default: 0.3, "a body radius in metres")
        if aisle == nil, let map {
            let lo = area?.0 ?? .zero, hi = area?.1 ?? map.size
            if hi.x - lo.x <= 2 * radius || hi.y - lo.y <= 2 * radius {
                throw value.fail(
                    expected: "a walking area wider than the body (2 · radius = \(fmt(2 * radius)) m) in x and y",
                    found: "\(fmt(hi.x - lo.x)) × \(fmt(hi.y - lo.y)) m")
            }
        }
        return RandomWalkSpec(speed: speed, pause: pause, area: area, aisle: aisle, height: height, radius: radius)
    }
}
