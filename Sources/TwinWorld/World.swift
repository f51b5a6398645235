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

    public init(frameIndex: Int, time: Double, movers: [MoverState], ues: [UEReport?]) {
        (self.frameIndex, self.time, self.movers, self.ues) = (frameIndex, time, movers, ues)
    }
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

    /// The state `step` changes, to persist and later `restore` into a world built afresh from
    /// the same spec (see `WorldCheckpoint` for what is and is not in it).
    public func checkpoint() -> WorldCheckpoint {
        WorldCheckpoint(
            frameIndex: frameIndex, time: time, followers: traffic.followers, occupants: traffic.occupantsByPath,
            walkers: walkers, flights: flights, ues: ues)
    }

    /// Puts the world in the state of `checkpoint`, taken from a world built from the same spec:
    /// the next `step` then returns what the checkpointed world's next `step` returned.
    ///
    /// Throws `CheckpointMismatch`, leaving the world unchanged, when the checkpoint does not fit
    /// this world: other mover counts or kinds, other random streams (another seed, renamed or
    /// reordered movers), other paths — the world file changed since the checkpoint.
    public mutating func restore(_ checkpoint: WorldCheckpoint) throws {
        var problems: [String] = []
        func count(_ what: String, _ theirs: Int, _ ours: Int) -> Bool {
            if theirs != ours { problems.append("\(what): the checkpoint has \(theirs), this world has \(ours)") }
            return theirs == ours
        }
        /// Movers of one kind in world order, for naming them in messages.
        func names(_ pick: (Kind) -> Bool) -> [String] { zip(kinds, movers).filter { pick($0.0) }.map(\.1.name) }
        func streams(_ what: String, _ theirs: [SeededRandom], _ ours: [SeededRandom], names: [String]) {
            let wrong = theirs.indices.filter { theirs[$0].key != ours[$0].key }
            if !wrong.isEmpty {
                problems.append(
                    "\(what) \(wrong.prefix(3).map { names[$0] }.joined(separator: ", "))\(wrong.count > 3 ? " and \(wrong.count - 3) more" : ""): "
                        + "random streams of another seed or mover")
            }
        }
        if checkpoint.frameIndex < 0 || !checkpoint.time.isFinite {
            problems.append("frame \(checkpoint.frameIndex) at time \(checkpoint.time) s: not a frame of a run")
        }
        if count("lane-following movers", checkpoint.followers.count, traffic.followers.count) {
            streams(
                "lane-following movers", checkpoint.followers.map(\.rng), traffic.followers.map(\.rng),
                names: names { if case .follower = $0 { true } else { false } })
            if let problem = traffic.occupancyProblem(followers: checkpoint.followers, occupants: checkpoint.occupants) {
                problems.append(problem)
            }
        }
        if count("walkers", checkpoint.walkers.count, walkers.count) {
            streams(
                "walkers", checkpoint.walkers.map(\.rng), walkers.map(\.rng),
                names: names { if case .walker = $0 { true } else { false } })
        }
        if count("UAV flights", checkpoint.flights.count, flights.count) {
            for (id, kind) in kinds.enumerated() {
                guard case .flight(let i) = kind, case .waypoints(let mission) = spec.movers[specIndex[id]].motion,
                    !mission.waypoints.indices.contains(checkpoint.flights[i].target)
                else { continue }
                problems.append(
                    "UAV \(movers[id].name): flies to waypoint \(checkpoint.flights[i].target + 1), its mission has \(mission.waypoints.count)"
                )
            }
        }
        if count("movers", checkpoint.ues.count, ues.count) {
            let carrying = ues.indices.filter { ues[$0] != nil }
            if checkpoint.ues.indices.filter({ checkpoint.ues[$0] != nil }) != carrying {
                problems.append("UEs: the checkpoint's UEs are carried by other movers than this world's")
            } else {
                streams(
                    "UEs of", carrying.map { checkpoint.ues[$0]!.rng }, carrying.map { ues[$0]!.rng },
                    names: carrying.map { movers[$0].name })
            }
        }
        guard problems.isEmpty else { throw CheckpointMismatch(subject: "world", problems: problems) }
        frameIndex = checkpoint.frameIndex
        time = checkpoint.time
        traffic.restore(followers: checkpoint.followers, occupants: checkpoint.occupants)
        walkers = checkpoint.walkers
        flights = checkpoint.flights
        ues = checkpoint.ues
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

/// Everything `World.step` changes, so that a world built afresh from the same spec and given
/// this state by `World.restore` steps on exactly (bit for bit) as the original would have.
///
/// In it: the frame index and time; each lane-following mover (path, arc length, speed, chosen
/// next path, its drawn desired speed and driving parameters, its random stream) and the order
/// of movers on each path (it breaks ties between movers at the same arc length); each walker
/// (position, velocity, leg, pause, random stream); each UAV (position, velocity, waypoint,
/// loiter time); each UE's GNSS error, clock and random stream.
///
/// Not in it: anything rebuilt from the world file — the spec itself, mover names and classes,
/// the path network, the floor, aisles and waypoints — nor per-step scratch buffers. Restoring
/// therefore needs the same world file (checked as far as counts, paths and random streams
/// can tell: see `World.restore`). Encode it with `CheckpointCoding`.
public struct WorldCheckpoint: Codable, Sendable, Equatable {
    /// Frames stepped so far.
    public let frameIndex: Int
    /// Simulated time of the last frame, s.
    public let time: Double
    let followers: [Traffic.Follower]
    /// Per path, indices into `followers`, front first.
    let occupants: [[Int]]
    let walkers: [Walker]
    let flights: [Flight]
    /// Indexed by mover id; nil for movers without a UE.
    let ues: [UEClockAndGNSS?]
}

/// A checkpoint that does not fit the world or sensing engine it is restored into, usually
/// because the world file (or the sensing mode) changed since it was taken.
public struct CheckpointMismatch: Error, CustomStringConvertible, Equatable {
    /// What the checkpoint was for: "world" or "sensing".
    public let subject: String
    /// Each difference found, e.g. "walkers: the checkpoint has 9, this world has 10".
    public let problems: [String]

    public init(subject: String, problems: [String]) {
        self.subject = subject
        self.problems = problems
    }

    public var description: String {
        "cannot restore the \(subject) checkpoint (taken with another world file or sensing mode?): "
            + problems.joined(separator: "; ")
    }
}
