import Testing
import TwinMath
import TwinTracking

@testable import TwinWorld

struct WorldFileTests {
    @Test func tinyWorldDecodesWithDocumentedDefaults() throws {
        let spec = try shippedWorld("tiny")
        #expect(spec.simulation.dt == 0.1)
        #expect(spec.simulation.duration == 5)
        #expect(spec.simulation.frameCount == 50)
        #expect(spec.baseStations.map(\.name) == ["trp-west", "trp-east"])
        let bs = spec.baseStations[0]
        // Micro-tier defaults from worlds/README.md.
        #expect(bs.tier == .micro)
        #expect(bs.carrierFrequency == 28e9)
        #expect(bs.bandwidth == 400e6)
        #expect(bs.subcarrierSpacing == 120e3)
        #expect(bs.arraySize == SIMD2(16, 8))
        #expect(bs.operatorName == "default")
        guard case .factory(let hall) = spec.map else { Issue.record("expected a factory"); return }
        #expect(hall.scenario == .sl)
        // TR 38.901 Table 7.2-4, InF-SL: r = 0.2, d_clutter = 10 m, h_c = 2 m.
        #expect(hall.clutter == ClutterSpec(density: 0.2, size: 10, height: 2))
        // A closed aisle's loop length: 2·34 + 2·14 = 96 m.
        #expect(abs(hall.aisles[0].path.length - 96) < 1e-12)
        #expect(spec.movers.map(\.moverClass) == [.agv, .person, .uav])
        #expect(spec.movers[1].carriesUE && !spec.movers[0].carriesUE)
    }

    @Test func factoryGridPlacesEighteenTRPs() throws {
        let spec = try shippedWorld("factory")
        #expect(spec.baseStations.count == 18)
        let xs = Set(spec.baseStations.map(\.position.x)), ys = Set(spec.baseStations.map(\.position.y))
        #expect(xs == [10, 30, 50, 70, 90, 110])
        #expect(ys == [10, 30, 50])
        #expect(spec.baseStations.allSatisfy { $0.position.z == 8 })
    }

    @Test func roadGridBuildsTwoWayStreetsAndBlocks() throws {
        let spec = try shippedWorld("road")
        guard case .road(let road) = spec.map else { Issue.record("expected a road map"); return }
        // 5 × 5 junctions: 5 rows × 4 segments × 2 directions × 2 axes = 80 lanes; 4 × 4 blocks.
        #expect(road.junctions.count == 25)
        #expect(road.lanes.count == 80)
        #expect(road.buildings.count == 16)
        #expect(road.buildings.allSatisfy { $0.zMax >= 15 && $0.zMax <= 45 })
        #expect(spec.operators.map(\.name) == ["op-a", "op-b"])
        #expect(abs(spec.operators[1].clockOffset - 50e-9) < 1e-20)
        #expect(spec.baseStations.filter { $0.tier == .macro }.allSatisfy { $0.carrierFrequency == 3.5e9 && $0.txPower == 46 })
    }

    @Test func unknownKeyIsNamedWithLineAndSuggestion() {
        let yaml = factoryYAML(movers: "  - {name: w, class: person, speeed: 1.2}")
        let p = problems(yaml)
        #expect(p.count == 1)
        #expect(p.first?.key == "movers[0].speeed")
        #expect(p.first?.found.contains("did you mean 'speed'") == true)
        #expect(
            p.first?.line
                == yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("speeed") }.map { $0 + 1 })
    }

    @Test func wrongTypeNamesExpectedAndFound() {
        let p = problems(factoryYAML(simulation: "  dt: fast\n  duration: 2"))
        #expect(p.count == 1)
        #expect(p.first?.key == "simulation.dt")
        #expect(p.first?.expected == "a positive time step in seconds")
        #expect(p.first?.found == "'fast'")
        #expect(p.first?.line == 2)
    }

    @Test func negativeTimeStepIsRejected() {
        let p = problems(factoryYAML(simulation: "  dt: -0.1\n  duration: 2"))
        #expect(p.map(\.key) == ["simulation.dt"])
        #expect(p.first?.found == "'-0.1'")
    }

    @Test func baseStationOutsideTheMapIsRejected() {
        let infra = """
            infrastructure:
              baseStations:
                - {name: far, position: [130, 10, 6]}
            """
        let p = problems(factoryYAML(infrastructure: infra))
        #expect(p.count == 1)
        #expect(p.first?.key == "infrastructure.baseStations[0].position")
        #expect(p.first?.found == "(130, 10, 6)")
        #expect(p.first?.expected.contains("x 0…40") == true)
    }

    @Test func baseStationInsideAnObstacleIsRejected() {
        let infra = "infrastructure:\n  baseStations:\n    - {name: buried, position: [20, 10, 2]}"
        let p = problems(factoryYAML(infrastructure: infra))
        #expect(p.first?.found.contains("inside machine 'box'") == true)
    }

    @Test func laneOfOnePointIsRejected() {
        let yaml = roadYAML(movers: "  - {name: c, class: vehicle}")
            .replacingOccurrences(of: "points: [[390, 52], [10, 52]]", with: "points: [[390, 52]]")
        let p = problems(yaml)
        #expect(
            p.contains { $0.key == "map.road.lanes[1].points" && $0.expected == "a lane of at least 2 points" && $0.found == "1 point" })
    }

    @Test func laneThroughABuildingIsRejected() {
        let yaml = roadYAML(movers: "  - {name: c, class: vehicle}")
            .replacingOccurrences(of: "[[10, 48], [390, 48]]", with: "[[10, 48], [120, 70], [390, 48]]")
        let p = problems(yaml)
        #expect(p.contains { $0.key == "map.road.lanes[0].points" && $0.found.contains("building 'tower'") })
    }

    @Test func waypointInsideABuildingIsRejected() {
        let yaml = roadYAML(movers: "  - {name: d, class: uav, waypoints: [[50, 20, 30], [120, 75, 30]]}")
        let p = problems(yaml)
        #expect(p.contains { $0.key == "movers[0].waypoints[1]" && $0.found.contains("inside building 'tower'") })
    }

    @Test func flightLegThroughABuildingIsRejected() {
        let yaml = roadYAML(movers: "  - {name: d, class: uav, repeat: false, waypoints: [[120, 20, 30], [120, 95, 30]]}")
        let p = problems(yaml)
        #expect(p.contains { $0.key == "movers[0].waypoints[1]" && $0.found.contains("passes through building 'tower'") })
        // Over the roof is fine.
        #expect(problems(roadYAML(movers: "  - {name: d, class: uav, repeat: false, waypoints: [[120, 20, 50], [120, 95, 50]]}")).isEmpty)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let infra = "infrastructure:\n  baseStations:\n    - {name: far, position: [130, 10, 6]}"
        let yaml = factoryYAML(movers: "  - {name: w, class: persn}", infrastructure: infra, simulation: "  dt: 0\n  duration: 2")
        let keys = problems(yaml).map(\.key)
        #expect(keys == ["simulation.dt", "infrastructure.baseStations[0].position", "movers[0].class"])
    }

    @Test func vehiclesNeedARoadMap() {
        let p = problems(factoryYAML(movers: "  - {name: c, class: vehicle}"))
        #expect(p.first?.expected == "vehicles on a road map (they drive lanes)")
    }

    @Test func unknownLaneSuggestsTheClosestName() {
        let p = problems(roadYAML(movers: "  - {name: c, class: vehicle, lane: eats}"))
        #expect(p.first?.found == "'eats' (did you mean 'east'?)")
    }

    @Test func duplicateMoverNamesAreRejected() {
        let p = problems(factoryYAML(movers: "  - {name: w, class: person}\n  - {name: w, class: agv, aisle: loop}"))
        #expect(p.map(\.found) == ["'w' used twice"])
    }

    @Test func syntaxErrorGivesLine() {
        do {
            _ = try WorldSpec.decode(yaml: "simulation:\n  dt: [0.1\n", file: "bad.yaml")
            Issue.record("expected a syntax error")
        } catch let error as WorldFileError {
            guard case .syntax(let file, let line, _, _) = error else { Issue.record("expected .syntax, got \(error)"); return }
            #expect(file == "bad.yaml")
            #expect(line != nil)
            #expect(error.description.hasPrefix("bad.yaml:"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func missingFileIsNamed() {
        #expect(throws: WorldFileError.unreadable(file: "/nonexistent/w.yaml", reason: "no such file")) {
            try WorldSpec.load(path: "/nonexistent/w.yaml")
        }
    }

    @Test func messageNamesFileLineKeyExpectedFound() {
        let error = WorldFileError.invalid(
            file: "w.yaml",
            problems: [
                WorldFileProblem(line: 4, column: 7, key: "simulation.dt", expected: "a positive time step in seconds", found: "'-1'")
            ])
        #expect(error.description == "w.yaml:4:7: key 'simulation.dt': expected a positive time step in seconds, found '-1'")
    }

    @Test func tooManyVehiclesForTheLanesIsAClearError() throws {
        // Two 380 m lanes hold at most ~2·380/7.5 ≈ 100 vehicles of 4.5 m + 2 m gap + 1 m room.
        let spec = try WorldSpec.decode(yaml: roadYAML(movers: "  - {name: c, class: vehicle, count: 500}"), file: "r.yaml")
        do {
            _ = try World(spec: spec, file: "r.yaml")
            Issue.record("expected a placement error")
        } catch let error as WorldFileError {
            #expect(error.problems.first?.key == "movers[0].count")
            #expect(error.problems.first?.found.hasPrefix("500; only") == true)
        }
    }
}

struct LocalizerSectionTests {
    @Test func absentSectionGivesTheDocumentedDefaults() throws {
        let spec = try WorldSpec.decode(yaml: factoryYAML(), file: "t.yaml")
        #expect(spec.localizer == .default)
        #expect(spec.localizer.name == "gauss-newton" && spec.localizer.minimumLinks == 2)
        #expect(spec.localizer.gateProbability == 0.999 && spec.localizer.ueReportSigma == nil)
    }

    @Test func everyKeyIsRead() throws {
        let yaml =
            factoryYAML() + """

                localizer:
                  name: ue-selection
                  gateProbability: 0.99
                  minimumLinks: 3
                  residualProbability: 0.995
                  dropProbability: 0.9
                  jointMaxSubset: 5
                  jointSearchBudget: 5000
                  ueReportSigma: 2.5
                """
        let l = try WorldSpec.decode(yaml: yaml, file: "t.yaml").localizer
        #expect(
            l
                == LocalizerSpec(
                    name: "ue-selection", gateProbability: 0.99, minimumLinks: 3, residualProbability: 0.995, dropProbability: 0.9,
                    jointMaxSubset: 5, jointSearchBudget: 5000, ueReportSigma: 2.5))
    }

    @Test func misspeltNameListsTheLocalisers() {
        let p = problems(factoryYAML() + "\nlocalizer:\n  name: gauss-newtn\n")
        #expect(p.count == 1)
        #expect(p.first?.key == "localizer.name")
        #expect(p.first?.expected.contains("'gauss-newton'") == true && p.first?.expected.contains("'joint'") == true)
        #expect(p.first?.found.contains("gauss-newtn") == true)
    }

    @Test func outOfRangeValuesAndUnknownKeysAreNamed() {
        #expect(problems(factoryYAML() + "\nlocalizer:\n  gateProbability: 1\n").first?.key == "localizer.gateProbability")
        #expect(problems(factoryYAML() + "\nlocalizer:\n  minimumLinks: 0\n").first?.key == "localizer.minimumLinks")
        #expect(problems(factoryYAML() + "\nlocalizer:\n  ueReportSigma: -1\n").first?.key == "localizer.ueReportSigma")
        let typo = problems(factoryYAML() + "\nlocalizer:\n  minimumLink: 3\n")
        #expect(typo.first?.key == "localizer.minimumLink")
        #expect(typo.first?.found.contains("minimumLinks") == true)
    }
}

struct TrackerSectionTests {
    @Test func absentSectionGivesTheDocumentedDefaults() throws {
        let t = try WorldSpec.decode(yaml: factoryYAML(), file: "t.yaml").tracker
        #expect(t == .defaults)
        #expect(t.name == "gnn-cv")
        #expect(t.measurement == .position && t.processNoise == 10 && t.gateProbability == 0.99)
        #expect(t.confirmHits == 3 && t.confirmWindow == 5 && t.deleteAfterMisses == 5)
    }

    @Test func everyKeyIsRead() throws {
        let yaml =
            factoryYAML() + """

                tracker:
                  name: gnn-imm
                  measurement: raw
                  processNoise: 2.5
                  turnRateNoise: 0.02
                  switchProbability: 0.1
                  gateProbability: 0.995
                  confirmHits: 2
                  confirmWindow: 4
                  deleteAfterMisses: 7
                  maxPositionSigma: 15
                  initialVelocitySigma: 3
                  initialAccelerationSigma: 1
                  initialTurnRateSigma: 0.2
                  detectionProbability: 0.8
                  clutterDensity: 0.001
                  jpdaHypothesisBudget: 500
                """
        let t = try WorldSpec.decode(yaml: yaml, file: "t.yaml").tracker
        #expect(
            t
                == TrackerSettings(
                    name: "gnn-imm", measurement: .raw, processNoise: 2.5, turnRateNoise: 0.02, switchProbability: 0.1,
                    gateProbability: 0.995, confirmHits: 2, confirmWindow: 4, deleteAfterMisses: 7, maxPositionSigma: 15,
                    initialVelocitySigma: 3, initialAccelerationSigma: 1, initialTurnRateSigma: 0.2, detectionProbability: 0.8,
                    clutterDensity: 0.001, jpdaHypothesisBudget: 500))
    }

    @Test func badValuesAreNamed() {
        let name = problems(factoryYAML() + "\ntracker:\n  name: gnn-cvv\n")
        #expect(name.first?.key == "tracker.name")
        #expect(name.first?.expected.contains("'jpda-imm'") == true && name.first?.found.contains("gnn-cvv") == true)
        #expect(problems(factoryYAML() + "\ntracker:\n  confirmWindow: 4\n  confirmHits: 5\n").first?.key == "tracker.confirmHits")
        #expect(problems(factoryYAML() + "\ntracker:\n  gateProbability: 1\n").first?.key == "tracker.gateProbability")
        #expect(problems(factoryYAML() + "\ntracker:\n  processNoise: -1\n").first?.key == "tracker.processNoise")
        let raw = problems(factoryYAML() + "\ntracker:\n  name: jpda-cv\n  measurement: raw\n")
        #expect(raw.first?.key == "tracker.measurement")
        #expect(raw.first?.expected.contains("gnn") == true)
        let typo = problems(factoryYAML() + "\ntracker:\n  procesNoise: 2\n")
        #expect(typo.first?.key == "tracker.procesNoise")
        #expect(typo.first?.found.contains("processNoise") == true)
    }

    /// `--set` overrides replace or add values before decoding and are validated like the
    /// file's own; a path through a value is refused.
    @Test func commandLineOverridesAreDecodedLikeTheFile() throws {
        let spec = try WorldSpec.decode(
            yaml: factoryYAML(), file: "t.yaml",
            overrides: [
                WorldOverride(parsing: "tracker.name=jpda-imm")!, WorldOverride(parsing: "tracker.processNoise = 4")!,
                WorldOverride(parsing: "simulation.seed=11")!,
            ])
        #expect(spec.tracker.name == "jpda-imm" && spec.tracker.processNoise == 4 && spec.simulation.seed == 11)
        do {
            _ = try WorldSpec.decode(yaml: factoryYAML(), file: "t.yaml", overrides: [WorldOverride(parsing: "tracker.gateProbability=2")!])
            Issue.record("an out-of-range override must fail")
        } catch let error as WorldFileError {
            #expect(error.problems.first?.key == "tracker.gateProbability")
            #expect(error.problems.first?.found.contains("2") == true)
        }
        #expect(throws: WorldFileError.self) {
            try WorldSpec.decode(yaml: factoryYAML(), file: "t.yaml", overrides: [WorldOverride(parsing: "simulation.dt.x=1")!])
        }
        #expect(WorldOverride(parsing: "no-equals") == nil)
        #expect(WorldOverride(parsing: "tracker..name=x") == nil)
        #expect(WorldOverride(parsing: "=3") == nil)
    }
}

@Suite struct RISWorldFileTests {
    static func world(_ ris: String, baseStations: String = "- {name: a, position: [10, 10, 6]}") -> String {
        """
        simulation: {dt: 0.1, duration: 1, seed: 5}
        map:
          factory:
            size: [40, 20]
            ceiling: 8
            scenario: InF-SL
            obstacles:
              - {name: wall, kind: wall, min: [14, 0, 0], max: [15, 20, 8]}
        infrastructure:
          baseStations:
            \(baseStations)
          ris:
            - \(ris)
        movers:
          - {name: drone, class: uav, waypoints: [[5, 5, 4]]}
        """
    }

    @Test func unknownBaseStationIsAnError() {
        let found = problems(Self.world("{name: p, position: [5, 15, 6], azimuthDeg: 0, baseStation: c}"))
        #expect(found.count == 1)
        #expect(found.first?.key == "infrastructure.ris[0].baseStation")
        #expect(found.first?.expected == "one of the base stations 'a'")
        #expect(found.first?.found == "'c'")
    }

    @Test func aPanelNoBaseStationSeesIsAnError() {
        // Behind the full-height wall from the only TRP.
        let found = problems(Self.world("{name: p, position: [20, 10, 6], azimuthDeg: 180}"))
        #expect(found.count == 1)
        #expect(found.first?.key == "infrastructure.ris[0]")
        #expect(found.first?.found == "none of the 1 base stations")
        // Facing away from it (normal +x, TRP at −x) is no better.
        #expect(problems(Self.world("{name: p, position: [12, 10, 6], azimuthDeg: 0}")).count == 1)
        // Facing it: valid.
        #expect(problems(Self.world("{name: p, position: [12, 10, 6], azimuthDeg: 180}")).isEmpty)
    }

    @Test func sensingRisMustBeABoolean() {
        let yaml = Self.world("{name: p, position: [12, 10, 6], azimuthDeg: 180}") + "\nsensing: {ris: maybe}\n"
        let found = problems(yaml)
        #expect(found.count == 1)
        #expect(found.first?.key == "sensing.ris")
    }
}
