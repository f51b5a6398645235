import Testing
import TwinMath

@testable import TwinWorld

/// World files a user can get wrong in ways that once crashed, hung or misled.
struct HostileInputTests {
    @Test func zeroLengthLaneIsRejected() {
        let yaml = roadYAML(movers: "  - {name: c, class: vehicle}")
            .replacingOccurrences(of: "points: [[390, 52], [10, 52]]", with: "points: [[100, 52], [100, 52]]")
        #expect(
            problems(yaml).contains {
                $0.key == "map.road.lanes[1].points" && $0.expected == "a lane at least 0.5 m long" && $0.found == "0 m"
            })
    }

    @Test func absurdNumbersAreBoundedNotCrashed() {
        #expect(problems(factoryYAML(simulation: "  dt: 0.1\n  duration: 1e20")).map(\.key) == ["simulation.duration"])
        #expect(problems(factoryYAML(movers: "  - {name: w, class: person, count: 100000000}")).map(\.key) == ["movers[0].count"])
        let infra = "infrastructure:\n  baseStations:\n    - {name: b, position: [10, 10, 6], array: [1e30, 1]}"
        #expect(problems(factoryYAML(infrastructure: infra)).map(\.key) == ["infrastructure.baseStations[0]"])
    }

    @Test func unknownKeyElsewhereIsStillReportedWhenAnotherSectionStops() {
        // A stop inside 'movers' must not silence the unknown top-level key.
        let yaml = factoryYAML(movers: "  - {name: d, class: uav, waypoints: 3}") + "\ntrackr: {name: gnn-cv}\n"
        let p = problems(yaml)
        #expect(p.map(\.key) == ["movers[0].waypoints", "trackr"])
        #expect(p.last?.found == "unknown key 'trackr' (did you mean 'tracker'?)")
    }

    @Test func emptyValueIsCalledNull() {
        let yaml = factoryYAML(simulation: "  dt:\n  duration: 2")
        #expect(problems(yaml).first?.found == "nothing (null)")
    }

    @Test func expandedMoverNamesMustBeUnique() {
        let p = problems(factoryYAML(movers: "  - {name: w, class: person, count: 2}\n  - {name: w-1, class: person}"))
        #expect(p.map(\.found) == ["'w-1' used twice"])
    }

    @Test func gridBuildingsMustStandClearOfTheLanes() {
        let yaml = """
            simulation: {dt: 0.1, duration: 1}
            map:
              road:
                size: [400, 400]
                grid: {origin: [50, 50], spacing: [150, 150], count: [3, 3], setback: 1, buildingHeight: 20}
            movers:
              - {name: c, class: vehicle}
            """
        #expect(problems(yaml).contains { $0.expected.hasPrefix("a building setback above laneOffset + 1") })
    }

    @Test func heightAboveTheCeilingIsRejected() {
        #expect(problems(factoryYAML(movers: "  - {name: w, class: person, height: 50}")).first?.key == "movers[0].height")
    }

    @Test func walkingAreaNarrowerThanTheBodyIsRejected() {
        let p = problems(factoryYAML(movers: "  - {name: w, class: person, area: [[5, 5], [5.2, 9]]}"))
        #expect(p.first?.expected.hasPrefix("a walking area wider than the body") == true)
    }

    @Test func placementFailureIsReportedOnceWithTheNumberPlaced() throws {
        let spec = try WorldSpec.decode(yaml: roadYAML(movers: "  - {name: c, class: vehicle, count: 500}"), file: "r.yaml")
        do {
            _ = try World(spec: spec, file: "r.yaml")
            Issue.record("expected a placement error")
        } catch let error as WorldFileError {
            #expect(error.problems.count == 1)
            let placed = Int(error.problems[0].found.split(separator: " ")[2]) ?? -1
            // Two 380 m lanes: each vehicle needs at least 4.5 + 2 + 1 = 7.5 m of room.
            #expect(placed > 20 && placed <= 2 * 380 / 7)
        }
    }
}

struct TrafficRobustnessTests {
    @Test func aLoneAGVOnAShortLoopDoesNotFollowItself() throws {
        let yaml = """
            simulation: {dt: 0.1, duration: 1}
            map:
              factory:
                size: [20, 20]
                aisles:
                  - {name: ring, points: [[5, 5], [7, 5], [7, 7], [5, 7]], closed: true}
            movers:
              - {name: a, class: agv, aisle: ring, desiredSpeed: 1.5}
            """
        var world = try World(spec: try WorldSpec.decode(yaml: yaml, file: "r.yaml"))
        for _ in 0..<300 { world.step(dt: 0.1) }
        // An 8 m loop and a 1.2 m AGV: alone, it cruises at its desired 1.5 m/s.
        #expect(abs(world.moverStates()[0].velocity.norm - 1.5) < 0.01)
    }

    @Test func largeTimeStepsStayWithinTheSpeedLimit() throws {
        var spec = try shippedWorld("road")
        spec.movers = [spec.movers[0]]
        var world = try World(spec: spec)
        var fastest = 0.0
        for _ in 0..<100 {
            let snap = world.step(dt: 4)
            fastest = max(fastest, snap.movers.map(\.velocity.norm).max() ?? 0)
        }
        #expect(fastest <= 13.9 + 1e-9)
    }

    @Test func mergingVehiclesKeepTheirDistance() throws {
        var spec = try shippedWorld("road")
        spec.movers[0].count = 200
        spec.movers = [spec.movers[0]]
        var world = try World(spec: spec)
        let traffic0 = world.trafficForTesting
        var closest = Double.infinity
        for _ in 0..<1500 {
            world.step(dt: 0.1)
            let traffic = world.trafficForTesting
            // Vehicles bound for the same lane (on it, or on connectors into it) never overlap:
            // compare every pair whose current path leads to the same lane.
            var byTarget: [Int: [Int]] = [:]
            for (i, f) in traffic.followers.enumerated() {
                let path = traffic0.network.paths[f.path]
                byTarget[path.isConnector ? path.successors[0] : f.path, default: []].append(i)
            }
            let states = world.moverStates()
            for (_, group) in byTarget where group.count > 1 {
                for a in group.indices {
                    for b in group.indices where b > a {
                        closest = min(closest, states[group[a]].position.distance(to: states[group[b]].position))
                    }
                }
            }
        }
        // Centres of two 4.5 m cars on one lane are at least a car length apart.
        #expect(closest >= 4.5)
    }
}
