import TwinMath

/// Who a mover is (fixed for a run). Movers are numbered 0..<n in world-file order.
public struct MoverInfo: Sendable, Equatable, Codable {
    public var id: Int
    public var name: String
    public var moverClass: MoverClass
    public var carriesUE: Bool
    /// For UAVs: small or large (decides the radar cross section later).
    public var uavSize: UAVSize?
}

/// True kinematic state of one mover.
public struct MoverState: Sendable, Equatable, Codable {
    public var position: Vec3
    public var velocity: Vec3

    public init(position: Vec3, velocity: Vec3) {
        self.position = position
        self.velocity = velocity
    }
}

/// The world at one instant: the truth every later stage starts from.
public struct WorldSnapshot: Sendable, Equatable {
    public var frameIndex: Int
    /// Simulated time, s.
    public var time: Double
    /// Indexed by mover id.
    public var movers: [MoverState]
    /// For movers that carry a UE, what the UE reports; nil otherwise. Indexed by mover id.
    public var ues: [UEReport?]
}

/// The time-stepped world: movers on the map, infrastructure standing still.
///
/// Deterministic: the state after n steps depends only on the spec (with its seed) and the dts.
/// Each mover draws from its own substream `world/mover/<name>`, so adding a mover does not
/// change another's path.
public struct World: Sendable {
    public let spec: WorldSpec
    public let movers: [MoverInfo]
    public private(set) var frameIndex = 0
    public private(set) var time = 0.0

    private enum Kind: Sendable { case follower(Int), walker(Int), flight(Int) }
    private let kinds: [Kind]
    private let specIndex: [Int]
    private var traffic: Traffic
    private var walkers: [Walker]
    private var flights: [Flight]
    private var ues: [UEClockAndGNSS?]
    private let floor: WalkableFloor
    private let aislePaths: [String: Polyline]

    /// Builds the world at time 0. Throws `WorldFileError.invalid` when movers cannot be placed
    /// (more vehicles than the lanes hold, no free floor in a walking area).
    public init(spec: WorldSpec, file: String = "world") throws {
        self.spec = spec
        let root = SeededRandom(seed: spec.simulation.seed).substream("world")
        var traffic: Traffic
        let aislePaths: [String: Polyline]
        switch spec.map {
        case .road(let road):
            traffic = Traffic(network: PathNetwork(road: road))
            aislePaths = [:]
        case .factory(let hall):
            traffic = Traffic(network: PathNetwork(aisles: hall.aisles))
            aislePaths = Dictionary(hall.aisles.map { ($0.name, $0.path) }, uniquingKeysWith: { a, _ in a })
        }
        let floor = WalkableFloor(map: spec.map)
        var movers: [MoverInfo] = [], kinds: [Kind] = [], specIndex: [Int] = []
        var walkers: [Walker] = [], flights: [Flight] = [], ues: [UEClockAndGNSS?] = []
        var problems: [WorldFileProblem] = []
        for (entryIndex, entry) in spec.movers.enumerated() {
            var placement = root.substream("placement/\(entry.name)")
            placing: for k in 0..<entry.count {
                let name = entry.count == 1 ? entry.name : "\(entry.name)-\(k + 1)"
                let own = root.substream("mover/\(name)")
                switch entry.motion {
                case .laneFollowing(let lf):
                    let starts = lf.paths.compactMap { traffic.network.index(of: $0) }
                    guard traffic.place(spec: lf, startPaths: starts, rng: &placement, own: own) else {
                        problems.append(
                            WorldFileProblem(
                                line: entry.line, key: "movers[\(entryIndex)].count",
                                expected:
                                    "no more \(entry.moverClass.rawValue)s than the \(lf.paths.isEmpty ? "paths" : lf.paths.joined(separator: ", ")) can hold (each needs length + minGap + 1 m)",
                                found: "\(entry.count); only \(k) fit"))
                        break placing
                    }
                    kinds.append(.follower(traffic.followers.count - 1))
                case .randomWalk(let rw):
                    guard let w = Walker(spec: rw, floor: floor, aisle: rw.aisle.flatMap { aislePaths[$0] }, rng: own) else {
                        problems.append(
                            WorldFileProblem(
                                line: entry.line, key: "movers[\(entryIndex)]",
                                expected:
                                    "free floor to walk on (\(rw.area == nil ? "the map" : "the area") minus obstacles grown by the radius)",
                                found: "none after 1000 draws"))
                        break placing
                    }
                    walkers.append(w)
                    kinds.append(.walker(walkers.count - 1))
                case .waypoints(let mission):
                    flights.append(Flight(spec: mission, start: k))
                    kinds.append(.flight(flights.count - 1))
                }
                let uavSize: UAVSize? = if case .waypoints(let m) = entry.motion { m.size } else { nil }
                movers.append(
                    MoverInfo(
                        id: movers.count, name: name, moverClass: entry.moverClass,
                        carriesUE: entry.carriesUE, uavSize: uavSize))
                specIndex.append(entryIndex)
                ues.append(entry.carriesUE ? UEClockAndGNSS(spec: spec.ue, rng: root.substream("ue/\(name)")) : nil)
            }
        }
        if !problems.isEmpty { throw WorldFileError.invalid(file: file, problems: problems) }
        self.traffic = traffic
        self.aislePaths = aislePaths
        self.floor = floor
        self.movers = movers
        self.kinds = kinds
        self.specIndex = specIndex
        self.walkers = walkers
        self.flights = flights
        self.ues = ues
    }

    /// The traffic model (tests inspect gaps).
    var trafficForTesting: Traffic { traffic }

    /// The true state of every mover now.
    public func moverStates() -> [MoverState] {
        kinds.map { kind in
            switch kind {
            case .follower(let i):
                let s = traffic.state(of: i)
                return MoverState(position: s.position, velocity: s.velocity)
            case .walker(let i): return MoverState(position: walkers[i].position, velocity: walkers[i].velocity)
            case .flight(let i): return MoverState(position: flights[i].position, velocity: flights[i].velocity)
            }
        }
    }

    /// Advances the world by dt seconds and returns the new snapshot.
    @discardableResult
    public mutating func step(dt: Double) -> WorldSnapshot {
        traffic.step(dt: dt)
        for (id, kind) in kinds.enumerated() {
            switch kind {
            case .follower: break
            case .walker(let i):
                guard case .randomWalk(let rw) = spec.movers[specIndex[id]].motion else { continue }
                walkers[i].step(dt: dt, spec: rw, floor: floor, aisle: rw.aisle.flatMap { aislePaths[$0] })
            case .flight(let i):
                guard case .waypoints(let mission) = spec.movers[specIndex[id]].motion else { continue }
                flights[i].step(dt: dt, spec: mission)
            }
        }
        frameIndex += 1
        time = Double(frameIndex) * dt
        return snapshot(dt: dt)
    }

    private mutating func snapshot(dt: Double) -> WorldSnapshot {
        let states = moverStates()
        var reports = [UEReport?](repeating: nil, count: states.count)
        for id in ues.indices where ues[id] != nil {
            reports[id] = ues[id]!.report(truePosition: states[id].position, time: time, dt: dt, spec: spec.ue)
        }
        return WorldSnapshot(frameIndex: frameIndex, time: time, movers: states, ues: reports)
    }
}
