import Testing
import TwinMath

@testable import TwinWorld

struct FlightTests {
    func mission(_ waypoints: [Vec3], repeats: Bool = false, loiter: Double = 0) -> WaypointMissionSpec {
        WaypointMissionSpec(waypoints: waypoints, speed: 3, climbRate: 1, loiter: loiter, repeats: repeats, size: .small)
    }

    @Test func levelLegAtCruiseSpeed() {
        let spec = mission([Vec3(0, 0, 5), Vec3(30, 0, 5)])
        var f = Flight(spec: spec, start: 0)
        for _ in 0..<50 { f.step(dt: 0.1, spec: spec) }
        // 5 s at 3 m/s.
        #expect(abs(f.position.x - 15) < 1e-9 && f.position.z == 5)
        #expect(abs(f.velocity.x - 3) < 1e-9)
        for _ in 0..<60 { f.step(dt: 0.1, spec: spec) }
        #expect(f.position == Vec3(30, 0, 5))  // arrived and hovering: no repeat
        #expect(f.velocity == .zero)
    }

    @Test func climbRateLimitsASteepLeg() {
        // Horizontal 4 m at 3 m/s takes 1.33 s, climbing 10 m at 1 m/s takes 10 s: the leg lasts 10 s.
        let spec = mission([Vec3(0, 0, 5), Vec3(4, 0, 15)])
        var f = Flight(spec: spec, start: 0)
        for _ in 0..<50 { f.step(dt: 0.1, spec: spec) }
        #expect(abs(f.position.x - 2) < 1e-9 && abs(f.position.z - 10) < 1e-9)
    }

    @Test func repeatingMissionReturnsToTheStartAfterLoiters() {
        // Square of 4 × 3 m legs = 12 m at 3 m/s = 4 s, plus 4 loiters of 0.5 s = 6 s per round.
        let spec = mission([Vec3(0, 0, 5), Vec3(3, 0, 5), Vec3(3, 3, 5), Vec3(0, 3, 5)], repeats: true, loiter: 0.5)
        var f = Flight(spec: spec, start: 0)
        var positions: [Vec3] = []
        for _ in 0..<120 { f.step(dt: 0.1, spec: spec); positions.append(f.position) }
        #expect(positions.allSatisfy { $0.x >= -1e-9 && $0.x <= 3 + 1e-9 && $0.y >= -1e-9 && $0.y <= 3 + 1e-9 })
        // Back at the first waypoint within two rounds.
        #expect(positions.contains(Vec3(0, 0, 5)))
    }
}

struct TrafficTests {
    func network(_ yaml: String) throws -> PathNetwork {
        let spec = try WorldSpec.decode(yaml: yaml, file: "t.yaml")
        guard case .road(let road) = spec.map else { throw WorldFileError.unreadable(file: "t", reason: "not a road") }
        return PathNetwork(road: road)
    }

    func follower(path: Int, s: Double, v: Double, next: Int, desired: Double = 10) -> Traffic.Follower {
        Traffic.Follower(
            path: path, s: s, v: v, next: next, desiredSpeed: desired, maxAcceleration: 1.5,
            comfortableDeceleration: 2, minGap: 2, timeHeadway: 1.5, length: 4.5, height: 1,
            rng: SeededRandom(seed: 1))
    }

    /// A single 1 km dead-end lane.
    var deadEnd: String {
        """
        simulation: {dt: 0.1, duration: 1}
        map:
          road:
            size: [1100, 100]
            lanes:
              - {name: long, points: [[50, 50], [1050, 50]], speedLimit: 15}
        movers:
          - {name: c, class: vehicle}
        """
    }

    @Test func freeRoadAccelerationFollowsIDM() throws {
        var traffic = Traffic(network: try network(deadEnd))
        traffic.insert(follower(path: 0, s: 0, v: 5, next: -1))
        traffic.step(dt: 0.1)
        // a = a_max·(1 − (v/v0)⁴) with the wall 1 km away (beyond the 150 m look-ahead):
        // 1.5·(1 − 0.5⁴) = 1.40625 m/s².
        #expect(abs(traffic.followers[0].v - (5 + 0.140625)) < 1e-12)
        #expect(abs(traffic.followers[0].s - 0.1 * (5 + 5.140625) / 2) < 1e-12)
    }

    @Test func queueAtADeadEndStopsAtTheStandstillGap() throws {
        var traffic = Traffic(network: try network(deadEnd))
        for s in [800.0, 760, 720] { traffic.insert(follower(path: 0, s: s, v: 10, next: -1)) }
        for _ in 0..<3000 { traffic.step(dt: 0.1) }
        let sorted = traffic.followers.map(\.s).sorted(by: >)
        #expect(traffic.followers.allSatisfy { $0.v < 1e-3 })
        // IDM equilibrium at standstill: gap = s0 = 2 m, to the wall and between vehicles.
        #expect(abs(sorted[0] - (1000 - 2)) < 0.1)
        #expect(abs((sorted[0] - 4.5 - sorted[1]) - 2) < 0.1)
        #expect(abs((sorted[1] - 4.5 - sorted[2]) - 2) < 0.1)
    }

    @Test func followersNeverOverlapOnTheShippedRoadMap() throws {
        var spec = try shippedWorld("road")
        spec.movers[0].count = 300
        spec.movers = [spec.movers[0]]
        var world = try World(spec: spec)
        var worst = Double.infinity
        for _ in 0..<1500 {
            world.step(dt: 0.1)
            let states = world.moverStates()
            #expect(states.allSatisfy { $0.position.isFinite })
        }
        let traffic = world.trafficForTesting
        var byPath: [Int: [Traffic.Follower]] = [:]
        for f in traffic.followers { byPath[f.path, default: []].append(f) }
        for (_, list) in byPath {
            let sorted = list.sorted { $0.s > $1.s }
            for k in sorted.indices.dropFirst() { worst = min(worst, sorted[k - 1].s - sorted[k - 1].length - sorted[k].s) }
        }
        #expect(worst >= 0)
        // Traffic flows: most vehicles are moving.
        #expect(traffic.followers.filter { $0.v > 1 }.count > 150)
    }
}

struct WorldTests {
    func run(_ spec: WorldSpec, frames: Int) throws -> [[MoverState]] {
        var world = try World(spec: spec)
        return (0..<frames).map { _ in world.step(dt: spec.simulation.dt).movers }
    }

    @Test func sameSeedSameWorldOtherSeedDiffers() throws {
        var spec = try shippedWorld("factory")
        let a = try run(spec, frames: 300), b = try run(spec, frames: 300)
        #expect(a == b)
        spec.simulation.seed += 1
        let c = try run(spec, frames: 300)
        #expect(a != c)
    }

    @Test func addingAMoverDoesNotChangeAnothersPath() throws {
        let spec = try shippedWorld("tiny")
        var bigger = spec
        bigger.movers.append(
            MoverSpec(
                name: "visitor", moverClass: .person, count: 3, carriesUE: true,
                motion: spec.movers[1].motion, line: nil))
        let a = try run(spec, frames: 200), b = try run(bigger, frames: 200)
        for frame in a.indices { #expect(Array(b[frame].prefix(3)) == a[frame]) }
    }

    @Test(arguments: ["factory", "road", "tiny"])
    func moversStayInsideTheMapAndOutOfObstacles(world name: String) throws {
        let spec = try shippedWorld(name)
        var world = try World(spec: spec)
        let size = spec.map.size, ceiling = spec.map.ceiling
        var violations: [String] = []
        for _ in 0..<2000 {
            let snap = world.step(dt: spec.simulation.dt)
            for (id, m) in snap.movers.enumerated() {
                let p = m.position
                if p.x < 0 || p.y < 0 || p.x > size.x || p.y > size.y || p.z < 0 || p.z > ceiling {
                    violations.append("\(world.movers[id].name) left the map at \(p)")
                }
                if let o = spec.map.obstacles.first(where: { $0.contains(p, clearance: -0.01) && $0.footprintContains(Point2(p.x, p.y)) }) {
                    violations.append("\(world.movers[id].name) inside \(o.name) at \(p)")
                }
            }
        }
        #expect(violations.prefix(5).isEmpty, "\(violations.prefix(5))")
    }

    @Test func uesReportOnlyForCarriers() throws {
        let spec = try shippedWorld("factory")
        var world = try World(spec: spec)
        let snap = world.step(dt: 0.1)
        for (id, info) in world.movers.enumerated() {
            #expect((snap.ues[id] != nil) == info.carriesUE)
        }
        #expect(world.movers.filter(\.carriesUE).count == 10)
    }
}

struct GNSSTests {
    @Test func errorHasTheConfiguredSpreadAndOutlierRate() {
        var spec = UESpec.default
        spec.gnssSigmaHorizontal = 2
        spec.gnssSigmaVertical = 4
        spec.gnssCorrelationTime = 1
        spec.gnssOutlierProbability = 0.1
        spec.gnssOutlierScale = 50
        var ue = UEClockAndGNSS(spec: spec, rng: SeededRandom(seed: 9))
        let n = 40_000
        var sx = 0.0, sz = 0.0, outliers = 0, inliers = 0
        var clock: [Double] = []
        for k in 0..<n {
            let r = ue.report(truePosition: .zero, time: Double(k) * 0.1, dt: 0.1, spec: spec)
            if r.isOutlier { outliers += 1; continue }
            inliers += 1
            sx += r.reportedPosition.x * r.reportedPosition.x
            sz += r.reportedPosition.z * r.reportedPosition.z
            if k < 3 { clock.append(r.clockOffset) }
        }
        // Gauss–Markov with τ = 1 s sampled at 0.1 s: ~n·dt/(2τ) = 2000 effective samples, so the
        // sample standard deviation is within ~2 % (1σ); 10 % is a 5σ bound.
        #expect(abs((sx / Double(inliers)).squareRoot() - 2) < 0.2)
        #expect(abs((sz / Double(inliers)).squareRoot() - 4) < 0.4)
        // Binomial(40 000, 0.1): σ = 0.0015.
        #expect(abs(Double(outliers) / Double(n) - 0.1) < 0.0075)
        // Linear clock: equal increments per frame, offset within ±100 ns.
        #expect(abs((clock[1] - clock[0]) - (clock[2] - clock[1])) < 1e-20)
        #expect(abs(clock[0]) <= 100e-9 + 1e-9)
    }
}
