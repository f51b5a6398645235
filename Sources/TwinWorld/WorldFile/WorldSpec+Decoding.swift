import Foundation
import TwinConfiguration
import TwinMath
import TwinTracking
import Yams

extension WorldSpec {
    /// Reads and validates a world file. Every problem found is reported at once.
    public static func load(path: String, components: ComponentCatalogue? = nil) throws -> WorldSpec {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason =
                FileManager.default.fileExists(atPath: path)
                ? "it exists but is not readable UTF-8 text" : "no such file"
            throw WorldFileError.unreadable(file: path, reason: reason)
        }
        return try decode(yaml: text, file: path, components: components)
    }

    /// Decodes and validates world-file text; `file` names it in messages. `overrides`
    /// (from `--set key.path=value` and shorthands like `--tracker`) replace or add scalar
    /// values before decoding, so they are validated exactly like the file's own.
    ///
    /// Component names (localiser, tracker, channel and measurement models) are checked
    /// against `components`, the registries' names (TwinEngine's `Components.catalogue`, which
    /// sees every registry); without it they are only checked to be names.
    public static func decode(
        yaml text: String, file: String, overrides: [WorldOverride] = [], components: ComponentCatalogue? = nil
    ) throws -> WorldSpec {
        var root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw WorldFileError.invalid(
                    file: file,
                    problems: [
                        WorldFileProblem(
                            key: "", expected: "a mapping with sections 'simulation', 'map', 'movers', …", found: "an empty file")
                    ])
            }
            root = node
        } catch let error as YamlError {
            throw Self.syntaxError(error, file: file)
        }
        if !overrides.isEmpty { root = try WorldOverride.apply(overrides, to: root, file: file) }
        let context = WorldFileContext(file: file)
        let spec = WorldDecoder(context: context).decodeWorld(YAMLValue(node: root, path: "", context: context))
        if let components { components.problems(context.components).forEach(context.report) }
        if let spec, context.problems.isEmpty { return spec }
        let problems = context.problems.sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) }
        throw WorldFileError.invalid(file: file, problems: problems)
    }

    static func syntaxError(_ error: YamlError, file: String) -> WorldFileError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return .syntax(file: file, line: mark.line, column: mark.column, problem: text)
        default:
            return .syntax(file: file, line: nil, column: nil, problem: "\(error)")
        }
    }
}

/// A command-line replacement of one scalar in a world file: `key.path=value`, e.g.
/// `tracker.processNoise=2` or `simulation.seed=7`. Missing mappings on the path are created;
/// list items cannot be addressed.
public struct WorldOverride: Sendable, Equatable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `key.path=value`; nil if there is no `=` or the key is empty.
    public init?(parsing text: String) {
        guard let eq = text.firstIndex(of: "=") else { return nil }
        let key = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, !key.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else { return nil }
        self.init(key: key, value: String(text[text.index(after: eq)...]).trimmingCharacters(in: .whitespaces))
    }

    static func apply(_ overrides: [WorldOverride], to root: Node, file: String) throws -> Node {
        var root = root
        for o in overrides {
            let parts = o.key.split(separator: ".").map(String.init)
            guard let updated = set(parts[...], o.value, in: root) else {
                throw WorldFileError.invalid(
                    file: file,
                    problems: [
                        WorldFileProblem(
                            key: "\(o.key) (from --set)", expected: "a key path through mappings (sections and their keys)",
                            found: "a list or a value on the way")
                    ])
            }
            root = updated
        }
        return root
    }

    private static func set(_ path: ArraySlice<String>, _ value: String, in node: Node?) -> Node? {
        guard let head = path.first else { return Node(value) }
        var mapping: Node.Mapping
        switch node {
        case .mapping(let m)?: mapping = m
        case nil: mapping = Node.Mapping([])
        case .scalar(let s)? where s.string.isEmpty || s.string == "~" || s.string == "null": mapping = Node.Mapping([])
        default: return nil
        }
        guard let child = set(path.dropFirst(), value, in: mapping[head]) else { return nil }
        mapping[head] = child
        return .mapping(mapping)
    }
}

/// Decodes a world section by section. A section that cannot be decoded is reported and left
/// out, and decoding goes on, so one run lists every problem in the file.
struct WorldDecoder {
    let context: WorldFileContext

    /// Runs `body`; a stop is recorded as a problem and gives nil.
    func attempt<T>(_ body: () throws -> T) -> T? {
        let outside = context.open
        let marks = outside.map(\.interrupted)
        do {
            return try body()
        } catch let stop as WorldFileDecodingStop {
            for (mapping, mark) in zip(outside, marks) { mapping.interrupted = mark }
            context.report(stop.problem)
        } catch {
            context.report(WorldFileProblem(key: "", expected: "a valid world", found: "\(error)"))
        }
        return nil
    }

    func decodeWorld(_ root: YAMLValue) -> WorldSpec? {
        guard var top = attempt({ try root.mapping() }) else { return nil }
        let description = attempt { try top.string("description", default: "", "a one-line description") } ?? ""
        let simulation = attempt { try decodeSimulation(top.required("simulation", "a 'simulation' section with dt, duration and seed")) }
        let map = attempt { try decodeMap(top.required("map", "a 'map' section with either 'factory' or 'road'")) }
        let operators = attempt { try decodeOperators(top.optional("operators")) } ?? []
        var baseStations: [BaseStationSpec] = []
        var ris: [RISSpec] = []
        if let infra = top.optional("infrastructure"), var m = attempt({ try infra.mapping() }) {
            baseStations = attempt { try decodeBaseStations(m.optional("baseStations"), map: map, operators: operators) } ?? []
            ris = attempt { try decodeRIS(m.optional("ris"), map: map, baseStations: baseStations) } ?? []
            m.finish()
        }
        let ue = attempt { try decodeUE(top.optional("ue")) }
        let movers = attempt { try decodeMovers(top.required("movers", "a list of movers"), map: map) } ?? []
        let sensing = attempt { try decodeSensing(top.optional("sensing")) }
        let localizer = attempt { try decodeLocalizer(top.optional("localizer")) }
        let tracker = attempt { try decodeTracker(top.optional("tracker")) }
        let handover = attempt { try decodeHandover(top.optional("handover")) }
        let cooperation = attempt { try decodeCooperation(top.optional("cooperation"), operators: operators) } ?? nil
        if cooperation != nil, !ris.isEmpty, sensing?.ris ?? true, let node = top.optional("cooperation") {
            // The operators' frames would have to carry the panels' sites too: not modelled yet.
            context.report(
                at: node, expected: "a world without RIS panels (or with 'sensing.ris: false') under a cooperation policy",
                found: "\(ris.count) RIS panel(s) with RIS sensing on")
        }
        top.finish()
        // Names as the world will use them: an entry with count N makes <name>-1 … <name>-N.
        checkUniqueNames(
            movers.flatMap { m in
                m.count == 1 ? [(m.name, m.line)] : (1...m.count).map { ("\(m.name)-\($0)", m.line) }
            }, what: "mover", key: "movers")
        checkUniqueNames(ris.map { ($0.name, nil) }, what: "RIS panel", key: "infrastructure.ris")
        checkUniqueNames(baseStations.map { ($0.name, nil) }, what: "base station", key: "infrastructure.baseStations")
        if let sensing { sensing.waveformProblems(baseStations: baseStations).forEach(context.report) }
        guard let simulation, let map, let ue, let sensing, let localizer, let tracker else { return nil }
        return WorldSpec(
            description: description, simulation: simulation, map: map, movers: movers, ue: ue,
            operators: operators.isEmpty ? [OperatorSpec.default] : operators,
            baseStations: baseStations, ris: ris, sensing: sensing, localizer: localizer, tracker: tracker,
            handover: handover ?? .default, cooperation: cooperation, componentReferences: context.components)
    }

    func checkUniqueNames(_ names: [(String, Int?)], what: String, key: String) {
        var seen: Set<String> = []
        for (name, line) in names where !seen.insert(name).inserted {
            context.report(
                WorldFileProblem(
                    line: line, key: key, expected: "a unique name for each \(what)",
                    found: "'\(name)' used twice"))
        }
    }

    // MARK: - Simulation

    func decodeSimulation(_ value: YAMLValue) throws -> SimulationSpec { try decodeSection(value) }

    // MARK: - Map

    func decodeMap(_ value: YAMLValue) throws -> MapSpec {
        var m = try value.mapping()
        defer { m.finish() }
        let factory = m.optional("factory"), road = m.optional("road")
        switch (factory, road) {
        case (let f?, nil): return .factory(try decodeFactory(f))
        case (nil, let r?): return .road(try decodeRoad(r))
        case (_?, _?): throw value.fail(expected: "either 'factory' or 'road', not both", found: "both")
        case (nil, nil): throw value.fail(expected: "a 'factory' or a 'road' map")
        }
    }

    func decodeSize(_ m: inout YAMLMapping) throws -> Point2 {
        let v = try m.required("size", "the map size [x, y] in metres")
        let size = try v.vec2("the map size [x, y] in metres")
        guard size.x > 0, size.y > 0 else { throw v.fail(expected: "positive sizes [x, y] in metres") }
        return size
    }

    func decodeFactory(_ value: YAMLValue) throws -> FactoryHallSpec {
        var m = try value.mapping()
        defer { m.finish() }
        let size = try decodeSize(&m)
        let ceiling = try m.positive("ceiling", default: 10, "the ceiling height in metres")
        let scenario: InFSubScenario = try m.choice("scenario", default: .dh)
        var clutter = scenario.defaultClutter
        if let c = m.optional("clutter") {
            var cm = try c.mapping()
            clutter.density = try cm.double(
                "density", default: clutter.density, "a clutter density r in [0, 1)", where: { $0 >= 0 && $0 < 1 })
            clutter.size = try cm.positive("size", default: clutter.size, "a clutter size d_clutter in metres")
            clutter.height = try cm.nonNegative("height", default: clutter.height, "an effective clutter height h_c in metres")
            cm.finish()
        }
        let bounds = MapBounds(size: size, ceiling: ceiling)
        var obstacles: [Prism] = []
        for item in try m.optional("obstacles")?.sequence("a list of obstacles") ?? [] {
            if let o = attempt({ try decodeBox(item, bounds: bounds) }) { obstacles.append(o) }
        }
        var aisles: [AisleSpec] = []
        for item in try m.optional("aisles")?.sequence("a list of aisles") ?? [] {
            if let a = attempt({ try decodeAisle(item, bounds: bounds, obstacles: obstacles) }) { aisles.append(a) }
        }
        checkUniqueNames(aisles.map { ($0.name, nil) }, what: "aisle", key: "map.factory.aisles")
        return FactoryHallSpec(
            size: size, ceiling: ceiling, scenario: scenario, clutter: clutter,
            obstacles: obstacles, aisles: aisles)
    }

    func decodeBox(_ value: YAMLValue, bounds: MapBounds) throws -> Prism {
        var m = try value.mapping()
        defer { m.finish() }
        let name = try m.string("name", default: value.path, "a name")
        let kind = try m.string("kind", default: "machine", "what the obstacle is (machine, rack, wall, …)")
        let lo = try m.required("min", "the lower corner [x, y, z] in metres").vec3("the lower corner [x, y, z] in metres")
        let hiValue = try m.required("max", "the upper corner [x, y, z] in metres")
        let hi = try hiValue.vec3("the upper corner [x, y, z] in metres")
        guard hi.x > lo.x, hi.y > lo.y, hi.z > lo.z else {
            throw hiValue.fail(expected: "an upper corner above the lower corner \(fmt(lo)) on every axis", found: fmt(hi))
        }
        if !bounds.contains(lo) || !bounds.contains(hi) {
            context.report(at: value, expected: "an obstacle inside the hall \(bounds)", found: "corners \(fmt(lo)) and \(fmt(hi))")
        }
        return Prism(name: name, kind: kind, min: lo, max: hi)
    }

    /// Floor points `[[x, y], …]` of a lane or an aisle (z = 0), at least 2, of positive length.
    func decodePoints(_ value: YAMLValue, what: String) throws -> [Vec3] {
        let items = try value.sequence("a list of points [x, y]")
        guard items.count >= 2 else {
            throw value.fail(expected: "\(what) of at least 2 points", found: "\(items.count) point\(items.count == 1 ? "" : "s")")
        }
        let points = try items.map { item in
            let p = try item.vec2("a floor point [x, y] in metres")
            return Vec3(p.x, p.y, 0)
        }
        if Polyline(points).length < 0.5 {
            throw value.fail(expected: "\(what) at least 0.5 m long", found: "\(fmt(Polyline(points).length)) m")
        }
        return points
    }

    func decodeAisle(_ value: YAMLValue, bounds: MapBounds, obstacles: [Prism]) throws -> AisleSpec {
        var m = try value.mapping()
        defer { m.finish() }
        let name = try m.string("name", "a name for the aisle")
        let pointsValue = try m.required("points", "the aisle's points [[x, y], …]")
        var points = try decodePoints(pointsValue, what: "an aisle")
        let closed = try m.bool("closed", default: false)
        if closed, let first = points.first { points.append(first) }
        checkPath(points, value: pointsValue, bounds: bounds, obstacles: obstacles, clearance: 0.4, what: "aisle")
        return AisleSpec(name: name, path: Polyline(points), closed: closed)
    }

    /// Reports a path that leaves the map or runs through an obstacle.
    func checkPath(
        _ points: [Vec3], value: YAMLValue, bounds: MapBounds, obstacles: [Prism],
        clearance: Double, what: String
    ) {
        for (i, p) in points.enumerated() where !bounds.contains(p) {
            context.report(at: value, expected: "every point of the \(what) inside the map \(bounds)", found: "point \(i) at \(fmt(p))")
            return
        }
        for i in 0..<(points.count - 1) {
            let a = Point2(points[i].x, points[i].y), b = Point2(points[i + 1].x, points[i + 1].y)
            if let o = obstacles.first(where: { $0.footprintIntersects(a, b, clearance: clearance) }) {
                context.report(
                    at: value, expected: "a \(what) clear of obstacles (\(clearance) m)",
                    found: "segment \(i) from \(fmt(points[i])) to \(fmt(points[i + 1])) runs through \(o.kind) '\(o.name)'")
                return
            }
        }
    }

    func decodeRoad(_ value: YAMLValue) throws -> RoadMapSpec {
        var m = try value.mapping()
        defer { m.finish() }
        let size = try decodeSize(&m)
        let maxAltitude = try m.positive("maxAltitude", default: 300, "the airspace ceiling in metres")
        let bounds = MapBounds(size: size, ceiling: maxAltitude)
        var junctions: [JunctionSpec] = []
        var lanes: [LaneSpec] = []
        var buildings: [Prism] = []
        if let g = m.optional("grid") {
            let grid = try decodeRoadGrid(g, bounds: bounds)
            junctions += grid.junctions
            lanes += grid.lanes
            buildings += grid.buildings
        }
        for item in try m.optional("junctions")?.sequence("a list of junctions") ?? [] {
            if let j = attempt({ () throws -> JunctionSpec in
                var jm = try item.mapping()
                defer { jm.finish() }
                let name = try jm.string("name", "a junction name")
                let pv = try jm.required("position", "the junction position [x, y] in metres")
                let p = try pv.vec2()
                if !bounds.contains(Vec3(p.x, p.y, 0)) {
                    context.report(at: pv, expected: "a junction inside the map \(bounds)", found: fmt(p))
                }
                let turn = try jm.positive("turnSpeed", default: 5, "a turning speed in m/s")
                return JunctionSpec(name: name, position: p, turnSpeed: turn)
            }) {
                junctions.append(j)
            }
        }
        for item in try m.optional("buildings")?.sequence("a list of buildings") ?? [] {
            if let b = attempt({ try decodeBuilding(item, bounds: bounds) }) { buildings.append(b) }
        }
        let laneItems = try m.optional("lanes")?.sequence("a list of lanes") ?? []
        for item in laneItems {
            if let l = attempt({ try decodeLane(item, bounds: bounds, buildings: buildings, junctions: junctions) }) { lanes.append(l) }
        }
        checkUniqueNames(junctions.map { ($0.name, nil) }, what: "junction", key: "map.road.junctions")
        checkUniqueNames(lanes.map { ($0.name, nil) }, what: "lane", key: "map.road.lanes")
        return RoadMapSpec(size: size, maxAltitude: maxAltitude, junctions: junctions, lanes: lanes, buildings: buildings)
    }

    func decodeBuilding(_ value: YAMLValue, bounds: MapBounds) throws -> Prism {
        var m = try value.mapping()
        defer { m.finish() }
        let name = try m.string("name", default: value.path, "a name")
        let fv = try m.required("footprint", "the footprint corners [[x, y], …]")
        let corners = try fv.sequence("a list of at least 3 corners [x, y]").map { try $0.vec2() }
        guard corners.count >= 3 else { throw fv.fail(expected: "a footprint of at least 3 corners", found: "\(corners.count)") }
        let height = try m.positive("height", "the building height in metres")
        let prism = Prism(name: name, kind: "building", footprint: corners, zMin: 0, zMax: height)
        if abs(prism.signedArea) < 1e-6 { context.report(at: fv, expected: "a footprint with a positive area", found: "zero area") }
        if let c = corners.first(where: { !bounds.contains(Vec3($0.x, $0.y, 0)) }) {
            context.report(at: fv, expected: "a building inside the map \(bounds)", found: "corner \(fmt(c))")
        }
        return prism
    }

    func decodeLane(_ value: YAMLValue, bounds: MapBounds, buildings: [Prism], junctions: [JunctionSpec]) throws -> LaneSpec {
        var m = try value.mapping()
        defer { m.finish() }
        let name = try m.string("name", "a lane name")
        let pv = try m.required("points", "the lane's points [[x, y], …] in the direction of travel")
        let points = try decodePoints(pv, what: "a lane").map { Vec3($0.x, $0.y, 0) }
        let speedLimit = try m.positive("speedLimit", default: 13.89, "a speed limit in m/s")
        var ends: [String?] = []
        for (key, point) in [("from", points.first!), ("to", points.last!)] {
            guard let jv = m.optional(key) else { ends.append(nil); continue }
            let jname = try jv.string("a junction name")
            guard let j = junctions.first(where: { $0.name == jname }) else {
                context.report(
                    at: jv, expected: "one of the junctions " + junctions.map { "'\($0.name)'" }.joined(separator: ", "),
                    found: "'\(jname)'")
                ends.append(nil)
                continue
            }
            let d = Point2(point.x, point.y) - j.position
            if (d * d).sum().squareRoot() > RoadNetworkRules.junctionReach {
                context.report(
                    at: jv,
                    expected:
                        "the lane to \(key == "from" ? "start" : "end") within \(RoadNetworkRules.junctionReach) m of junction '\(jname)' at \(fmt(j.position))",
                    found: "its \(key == "from" ? "first" : "last") point at \(fmt(point))")
            }
            ends.append(jname)
        }
        checkPath(points, value: pv, bounds: bounds, obstacles: buildings, clearance: 0, what: "lane")
        return LaneSpec(name: name, path: Polyline(points), speedLimit: speedLimit, from: ends[0], to: ends[1])
    }

    /// A Manhattan grid of two-way streets with buildings in the blocks (TR 38.901's UMi layout
    /// is such a grid). Junction (i, j) sits at origin + (i·spacing.x, j·spacing.y).
    func decodeRoadGrid(_ value: YAMLValue, bounds: MapBounds) throws -> (junctions: [JunctionSpec], lanes: [LaneSpec], buildings: [Prism])
    {
        var m = try value.mapping()
        defer { m.finish() }
        let origin = try m.required("origin", "the first junction [x, y] in metres").vec2()
        let spacing = try m.required("spacing", "the street spacing [x, y] in metres").vec2("the street spacing [x, y] in metres")
        let countValue = try m.required("count", "junctions along x and y [nx, ny]")
        let count = try countValue.numbers(count: 2, "junctions along x and y [nx, ny]")
        guard count.allSatisfy({ $0 >= 2 && $0 <= 1000 && $0 == $0.rounded() }) else {
            throw countValue.fail(expected: "whole numbers of junctions from 2 to 1000 along each axis")
        }
        let speed = try m.positive("speedLimit", default: 13.89, "a speed limit in m/s")
        let turn = try m.positive("turnSpeed", default: 5, "a turning speed in m/s")
        let half = try m.positive("laneOffset", default: 2, "the distance of each lane from the street centre, m")
        let setback = try m.positive("setback", default: 15, "the distance of buildings from street centres, m")
        let heightRange = try m.optional("buildingHeight").map { try $0.range("building height in metres") }
        if min(spacing.x, spacing.y) <= 4 * half + 1 {
            context.report(
                at: value,
                expected:
                    "a street spacing above 4·laneOffset + 1 = \(fmt(4 * half + 1)) m (lanes stop 2·laneOffset short of each junction)",
                found: "spacing \(fmt(spacing))")
        }
        if heightRange != nil && setback <= half + 1 {
            context.report(
                at: value, expected: "a building setback above laneOffset + 1 = \(fmt(half + 1)) m, so buildings stand clear of the lanes",
                found: "setback \(fmt(setback)) m")
        }
        let nx = Int(count[0]), ny = Int(count[1])
        let far = origin + Point2(Double(nx - 1) * spacing.x, Double(ny - 1) * spacing.y)
        if !bounds.contains(Vec3(origin.x, origin.y, 0)) || !bounds.contains(Vec3(far.x, far.y, 0)) {
            context.report(
                at: value, expected: "a street grid inside the map \(bounds)", found: "junctions from \(fmt(origin)) to \(fmt(far))")
        }
        func jp(_ i: Int, _ j: Int) -> Point2 { origin + Point2(Double(i) * spacing.x, Double(j) * spacing.y) }
        func jn(_ i: Int, _ j: Int) -> String { "j-\(i)-\(j)" }
        var junctions: [JunctionSpec] = []
        for j in 0..<ny { for i in 0..<nx { junctions.append(JunctionSpec(name: jn(i, j), position: jp(i, j), turnSpeed: turn)) } }
        var lanes: [LaneSpec] = []
        // Lanes keep right: a lane runs `half` metres right of the centreline and stops `2·half`
        // short of each junction centre, so turns are short connectors inside the junction.
        func lane(_ name: String, _ a: (Int, Int), _ b: (Int, Int)) {
            let pa = jp(a.0, a.1), pb = jp(b.0, b.1)
            let dir = (pb - pa) / ((pb - pa) * (pb - pa)).sum().squareRoot()
            let right = Point2(dir.y, -dir.x)
            let s = pa + dir * (2 * half) + right * half, e = pb - dir * (2 * half) + right * half
            lanes.append(
                LaneSpec(
                    name: name, path: Polyline([Vec3(s.x, s.y, 0), Vec3(e.x, e.y, 0)]),
                    speedLimit: speed, from: jn(a.0, a.1), to: jn(b.0, b.1)))
        }
        for j in 0..<ny {
            for i in 0..<(nx - 1) {
                lane("h-\(i)-\(j)-east", (i, j), (i + 1, j))
                lane("h-\(i)-\(j)-west", (i + 1, j), (i, j))
            }
        }
        for i in 0..<nx {
            for j in 0..<(ny - 1) {
                lane("v-\(i)-\(j)-north", (i, j), (i, j + 1))
                lane("v-\(i)-\(j)-south", (i, j + 1), (i, j))
            }
        }
        var buildings: [Prism] = []
        if let heightRange {
            // Heights vary by block but not by seed: the map is part of the world, not of a run.
            var rng = SeededRandom(seed: 0x6D61_7067_7269_64).substream("buildings")
            for j in 0..<(ny - 1) {
                for i in 0..<(nx - 1) {
                    let lo = jp(i, j) + Point2(setback, setback), hi = jp(i + 1, j + 1) - Point2(setback, setback)
                    guard hi.x > lo.x, hi.y > lo.y else { continue }
                    let h = rng.uniform(heightRange.lowerBound, heightRange.upperBound)
                    buildings.append(
                        Prism(name: "block-\(i)-\(j)", kind: "building", min: Vec3(lo.x, lo.y, 0), max: Vec3(hi.x, hi.y, max(h, 1))))
                }
            }
        }
        if let lane = lanes.first(where: { l in
            buildings.contains {
                $0.footprintIntersects(
                    Point2(l.path.points[0].x, l.path.points[0].y), Point2(l.path.points[1].x, l.path.points[1].y))
            }
        }) {
            context.report(
                at: value, expected: "generated lanes clear of the generated buildings",
                found: "lane '\(lane.name)' runs through a building")
        }
        return (junctions, lanes, buildings)
    }

    // MARK: - Operators and infrastructure

    func decodeOperators(_ value: YAMLValue?) throws -> [OperatorSpec] {
        guard let value else { return [] }
        return try value.sequence("a list of operators").compactMap { item in
            attempt {
                var m = try item.mapping()
                defer { m.finish() }
                return OperatorSpec(
                    name: try m.string("name", "an operator name"),
                    clockOffset: try m.double("clockOffsetNs", default: 0, "a clock offset in nanoseconds") * 1e-9,
                    frameOffset: try m.optional("frameOffset")?.vec3("a frame translation [x, y, z] in metres") ?? .zero,
                    frameRotation: try m.double("frameRotationDeg", default: 0, "a frame rotation about z in degrees") * .pi / 180)
            }
        }
    }

    func decodeBaseStations(_ value: YAMLValue?, map: MapSpec?, operators: [OperatorSpec]) throws -> [BaseStationSpec] {
        guard let value else { return [] }
        var result: [BaseStationSpec] = []
        let operatorNames = operators.isEmpty ? [OperatorSpec.default.name] : operators.map(\.name)
        for item in try value.sequence("a list of base stations") {
            guard
                let stations = attempt({ () throws -> [BaseStationSpec] in
                    var m = try item.mapping()
                    defer { m.finish() }
                    let name = try m.string("name", "a base-station name")
                    let tier: BSTier = try m.choice("tier", default: .micro)
                    let d = BaseStationDefaults(tier: tier)
                    let opValue = m.optional("operator")
                    let op = try opValue?.string("an operator name") ?? operatorNames[0]
                    if let opValue, !operatorNames.contains(op) {
                        context.report(
                            at: opValue, expected: "one of the operators " + operatorNames.map { "'\($0)'" }.joined(separator: ", "),
                            found: "'\(op)'")
                    }
                    var template = BaseStationSpec(
                        name: name, tier: tier, operatorName: op, position: .zero,
                        carrierFrequency: try m.positive("carrierGHz", default: d.carrierGHz, "a carrier frequency in GHz") * 1e9,
                        bandwidth: try m.positive("bandwidthMHz", default: d.bandwidthMHz, "a bandwidth in MHz") * 1e6,
                        subcarrierSpacing: try m.positive(
                            "subcarrierSpacingKHz", default: d.subcarrierSpacingKHz, "a subcarrier spacing in kHz") * 1e3,
                        txPower: try m.double("txPowerDbm", default: d.txPowerDbm, "a transmit power in dBm"),
                        arraySize: SIMD2(1, 1),
                        noiseFigure: try m.nonNegative("noiseFigureDb", default: d.noiseFigureDb, "a noise figure in dB"),
                        clockOffset: try m.double("clockOffsetNs", default: 0, "a clock offset in nanoseconds") * 1e-9,
                        azimuth: try m.double("azimuthDeg", default: 0, "a boresight azimuth in degrees") * .pi / 180)
                    let arr =
                        try m.optional("array")?.numbers(count: 2, "antenna elements [horizontal, vertical]") ?? [
                            Double(d.array.x), Double(d.array.y),
                        ]
                    guard arr.allSatisfy({ $0 >= 1 && $0 <= 4096 && $0 == $0.rounded() }) else {
                        throw item.fail(expected: "whole numbers of antenna elements from 1 to 4096 in 'array'", found: "\(arr)")
                    }
                    template.arraySize = SIMD2(Int(arr[0]), Int(arr[1]))
                    template.secondBand = try decodeSecondBand(m.optional("secondBand"), primary: template)
                    var placed: [(String, Vec3, YAMLValue)] = []
                    if let pv = m.optional("position") {
                        placed.append((name, try pv.vec3(), pv))
                    } else if let gv = m.optional("grid") {
                        var g = try gv.mapping()
                        defer { g.finish() }
                        let origin = try g.required("origin", "the first site [x, y] in metres").vec2()
                        let spacing = try g.required("spacing", "site spacing [x, y] in metres").vec2()
                        let cv = try g.required("count", "sites along x and y [nx, ny]")
                        let count = try cv.numbers(count: 2, "sites along x and y [nx, ny]")
                        guard count.allSatisfy({ $0 >= 1 && $0 <= 1000 && $0 == $0.rounded() }) else {
                            throw cv.fail(expected: "whole numbers of sites from 1 to 1000")
                        }
                        let height = try g.positive("height", "the antenna height in metres")
                        var k = 0
                        for j in 0..<Int(count[1]) {
                            for i in 0..<Int(count[0]) {
                                k += 1
                                let p = origin + Point2(Double(i) * spacing.x, Double(j) * spacing.y)
                                placed.append(("\(name)-\(k)", Vec3(p.x, p.y, height), gv))
                            }
                        }
                    } else {
                        throw item.fail(expected: "a 'position' [x, y, z] or a 'grid' of sites", found: "neither")
                    }
                    return placed.map { (siteName, p, v) in
                        if let map { checkSite(p, at: v, map: map, what: "base station '\(siteName)'") }
                        var bs = template
                        bs.name = siteName
                        bs.position = p
                        return bs
                    }
                })
            else { continue }
            result += stations
        }
        return result
    }

    /// A site must stand inside the map and not inside an obstacle (a rooftop is fine).
    func checkSite(_ p: Vec3, at value: YAMLValue, map: MapSpec, what: String) {
        let bounds = MapBounds(size: map.size, ceiling: map.ceiling)
        if !bounds.contains(p) || p.z <= 0 {
            context.report(at: value, expected: "\(what) inside the map \(bounds), above the floor", found: fmt(p))
        } else if let o = map.obstacles.first(where: { p.z < $0.zMax && $0.contains(p) }) {
            context.report(at: value, expected: "\(what) outside obstacles", found: "\(fmt(p)) inside \(o.kind) '\(o.name)'")
        }
    }

    func decodeRIS(_ value: YAMLValue?, map: MapSpec?, baseStations: [BaseStationSpec] = []) throws -> [RISSpec] {
        guard let value else { return [] }
        return try value.sequence("a list of RIS panels").compactMap { item in
            attempt {
                var m = try item.mapping()
                defer { m.finish() }
                let name = try m.string("name", "a panel name")
                let pv = try m.required("position", "the panel centre [x, y, z] in metres")
                let p = try pv.vec3()
                if let map { checkSite(p, at: pv, map: map, what: "RIS '\(name)'") }
                let ev = m.optional("elements")
                let e = try ev?.numbers(count: 2, "elements along the panel [horizontal, vertical]") ?? [16, 16]
                guard e.allSatisfy({ $0 >= 1 && $0 <= 4096 && $0 == $0.rounded() }) else {
                    throw (ev ?? item).fail(expected: "whole numbers of elements from 1 to 4096")
                }
                var panel = RISSpec(
                    name: name, position: p,
                    azimuth: try m.double("azimuthDeg", default: 0, "the panel normal's azimuth in degrees") * .pi / 180,
                    elevation: try m.double("elevationDeg", default: 0, "the panel normal's elevation in degrees") * .pi / 180,
                    elements: SIMD2(Int(e[0]), Int(e[1])))
                panel.baseStation = try servingBaseStation(
                    of: panel, m.optional("baseStation"), at: item, map: map, baseStations: baseStations)
                return panel
            }
        }
    }

    // MARK: - UE, sensing, localiser and tracker: through their key tables

    func decodeUE(_ value: YAMLValue?) throws -> UESpec { try decodeSection(value) }

    func decodeSensing(_ value: YAMLValue?) throws -> SensingSpec { try decodeSection(value) }

    func decodeLocalizer(_ value: YAMLValue?) throws -> LocalizerSpec { try decodeSection(value) }

    func decodeTracker(_ value: YAMLValue?) throws -> TrackerSettings { try decodeSection(value) }
}

/// Rules of the road network shared by validation and the traffic model.
enum RoadNetworkRules {
    /// A lane must start and end within this distance (m) of the junctions it names.
    static let junctionReach = 30.0
}

/// The map's box, for "inside the map" checks and messages.
struct MapBounds: CustomStringConvertible {
    let size: Point2
    let ceiling: Double

    func contains(_ p: Vec3) -> Bool {
        p.x >= 0 && p.x <= size.x && p.y >= 0 && p.y <= size.y && p.z >= 0 && p.z <= ceiling
    }

    var description: String {
        "(x 0…\(fmt(size.x)), y 0…\(fmt(size.y)), z 0…\(fmt(ceiling)) m)"
    }
}

struct BaseStationDefaults {
    let carrierGHz, bandwidthMHz, subcarrierSpacingKHz, txPowerDbm, noiseFigureDb: Double
    let array: SIMD2<Int>

    init(tier: BSTier) {
        switch tier {
        case .macro:
            (carrierGHz, bandwidthMHz, subcarrierSpacingKHz, txPowerDbm, noiseFigureDb, array) = (3.5, 100, 30, 46, 5, SIMD2(8, 4))
        case .micro:
            (carrierGHz, bandwidthMHz, subcarrierSpacingKHz, txPowerDbm, noiseFigureDb, array) = (28, 400, 120, 30, 7, SIMD2(16, 8))
        }
    }
}

extension OperatorSpec {
    /// The operator of worlds that declare none.
    public static let `default` = OperatorSpec(name: "default", clockOffset: 0, frameOffset: .zero, frameRotation: 0)
}

extension UESpec {
    /// Defaults: consumer GNSS (1.5 m horizontal, 3 m vertical, 10 s correlation), 1 % outliers
    /// of 20 m mean size; timing offsets within ±100 ns, drift 1 ns/s (1σ).
    public static let `default` = UESpec(
        gnssSigmaHorizontal: 1.5, gnssSigmaVertical: 3.0, gnssCorrelationTime: 10,
        gnssOutlierProbability: 0.01, gnssOutlierScale: 20,
        clockOffsetMax: 100e-9, clockDriftSigma: 1e-9)
}

/// Compact number formatting for messages: at most 3 decimals, no trailing zeros.
func fmt(_ x: Double) -> String {
    let rounded = (x * 1000).rounded() / 1000
    if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int(rounded)) }
    return String(rounded)
}

func fmt(_ p: Vec3) -> String { "(\(fmt(p.x)), \(fmt(p.y)), \(fmt(p.z)))" }
func fmt(_ p: Point2) -> String { "(\(fmt(p.x)), \(fmt(p.y)))" }

/// The registered component names per kind ("localizer", "tracker", "channel model",
/// "measurement model"): what a world file's component keys are checked against.
public struct ComponentCatalogue: Sendable, Equatable {
    public var names: [String: [String]]

    public init(_ names: [String: [String]]) { self.names = names }

    /// A problem per reference whose kind is catalogued and whose name is not registered.
    public func problems(_ references: [ComponentReference]) -> [WorldFileProblem] {
        references.compactMap { ref in
            guard let known = names[ref.kind], !known.contains(ref.name) else { return nil }
            let hint = closestSpelling(to: ref.name, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            return WorldFileProblem(
                line: ref.line, column: ref.column, key: ref.key,
                expected: "a \(ref.kind): one of " + known.map { "'\($0)'" }.joined(separator: ", "), found: "'\(ref.name)'\(hint)")
        }
    }
}
