import TwinMath

/// Movers that follow a `PathNetwork` and keep their distance to the one ahead, with the
/// Intelligent Driver Model (Treiber, Hennecke & Helbing, Phys. Rev. E 62, 2000):
///
///     a = a_max · [1 − (v/v0)⁴ − (s*/s)²],   s* = s0 + v·T + v·Δv / (2·√(a_max·b))
///
/// with s the bumper-to-bumper gap, Δv the approach rate to the leader, v0 the desired speed
/// capped by the speed limit and by a braking profile towards the next path's (slower) limit:
/// v0 ≤ √(v_next² + 2·b·d_end). A dead-end path acts as a standing obstacle at its end.
/// After the IDM step a hard clamp keeps every mover behind its leader, so none passes another.
///
/// Per-path occupant lists stay sorted front-first between steps (insertion sort on nearly
/// sorted data), so finding the leader is O(1) and a step is O(movers).
public struct Traffic: Sendable, Equatable, Codable {
    public struct Follower: Sendable, Equatable, Codable {
        public var path: Int
        /// Arc length along the path, m.
        public var s: Double
        /// Speed, m/s.
        public var v: Double
        /// The path chosen for after this one (−1 at a dead end).
        public var next: Int
        public var desiredSpeed: Double
        public var maxAcceleration: Double
        public var comfortableDeceleration: Double
        public var minGap: Double
        public var timeHeadway: Double
        public var length: Double
        public var height: Double
        public var rng: SeededRandom
    }

    public var network: PathNetwork
    public private(set) var followers: [Follower] = []
    /// For each path, followers on it sorted by s descending (front first).
    private var occupants: [[Int]]
    /// Scratch buffers kept between steps (no allocation per step).
    private var accelerations: [Double] = []
    private var leaderGap: [Double] = []
    private var targetSpeed: [Double] = []
    private var moved: [Move] = []
    private struct Move: Sendable, Equatable, Codable { var follower: Int; var from: Int }

    /// How far ahead (m) a mover looks for a leader beyond the end of its path.
    static let lookAhead = 150.0

    public init(network: PathNetwork) {
        self.network = network
        occupants = Array(repeating: [], count: network.paths.count)
        var feeders = [[Int]](repeating: [], count: network.paths.count)
        for (p, path) in network.paths.enumerated() {
            for successor in path.successors { feeders[successor].append(p) }
        }
        self.feeders = feeders
    }

    /// Adds a follower at a free spot drawn from `rng` on one of `startPaths` (any non-connector
    /// path if empty). Returns false when no spot with room for it could be found.
    public mutating func place(spec: LaneFollowingSpec, startPaths: [Int], rng: inout SeededRandom, own: SeededRandom) -> Bool {
        let candidates = startPaths.isEmpty ? network.paths.indices.filter { !network.paths[$0].isConnector } : startPaths
        let total = candidates.reduce(0.0) { $0 + network.paths[$1].line.length }
        guard total > 0 else { return false }
        for _ in 0..<400 {
            var pick = rng.uniform() * total
            var path = candidates.last!
            for c in candidates {
                let len = network.paths[c].line.length
                if pick < len { path = c; break }
                pick -= len
            }
            let s = rng.uniform() * network.paths[path].line.length
            let room = spec.length + spec.minGap + 1
            let clash = occupants[path].contains { abs(followers[$0].s - s) < max(room, followers[$0].length + followers[$0].minGap + 1) }
            if clash { continue }
            var own = own
            let desired = own.uniform(spec.desiredSpeed.lowerBound, spec.desiredSpeed.upperBound)
            let next = Self.chooseSuccessor(of: path, in: network, rng: &own)
            let follower = Follower(
                path: path, s: s, v: 0.5 * min(desired, network.paths[path].speedLimit), next: next,
                desiredSpeed: desired, maxAcceleration: spec.maxAcceleration,
                comfortableDeceleration: spec.comfortableDeceleration, minGap: spec.minGap,
                timeHeadway: spec.timeHeadway, length: spec.length, height: spec.height, rng: own)
            followers.append(follower)
            occupants[path].append(followers.count - 1)
            sortOccupants(of: path)
            return true
        }
        return false
    }

    /// Adds a follower exactly as given (tests and resumed runs).
    mutating func insert(_ follower: Follower) {
        followers.append(follower)
        occupants[follower.path].append(followers.count - 1)
        sortOccupants(of: follower.path)
    }

    /// Per path, the followers on it front first (for checkpoints).
    var occupantsByPath: [[Int]] { occupants }

    /// Why `followers` and `occupants` (from a checkpoint) cannot be this traffic's state, or nil
    /// when they can: each path index must exist here and each follower must be listed exactly
    /// once, on its own path.
    func occupancyProblem(followers: [Follower], occupants: [[Int]]) -> String? {
        let paths = network.paths.count
        if occupants.count != paths { return "paths: the checkpoint has \(occupants.count), this world has \(paths)" }
        if let f = followers.firstIndex(where: { !(0..<paths).contains($0.path) || !(-1..<paths).contains($0.next) }) {
            return "lane-following mover \(f) is on a path this world does not have"
        }
        var listed = [Int](repeating: 0, count: followers.count)
        for (path, list) in occupants.enumerated() {
            for i in list {
                guard followers.indices.contains(i), followers[i].path == path else {
                    return "path \(network.paths[path].name): lists a mover that is not on it"
                }
                listed[i] += 1
            }
        }
        if let f = listed.firstIndex(where: { $0 != 1 }) { return "lane-following mover \(f) is listed on \(listed[f]) paths" }
        return nil
    }

    /// Replaces the followers and their order on each path (checked by `occupancyProblem`).
    mutating func restore(followers: [Follower], occupants: [[Int]]) {
        self.followers = followers
        self.occupants = occupants
    }

    static func chooseSuccessor(of path: Int, in network: PathNetwork, rng: inout SeededRandom) -> Int {
        let successors = network.paths[path].successors
        switch successors.count {
        case 0: return -1
        case 1: return successors[0]
        default: return successors[rng.index(below: successors.count)]
        }
    }

    /// Position and velocity of follower i.
    public func state(of i: Int) -> (position: Vec3, velocity: Vec3) {
        let f = followers[i]
        let pose = network.paths[f.path].line.pose(at: f.s)
        return (Vec3(pose.position.x, pose.position.y, pose.position.z + f.height), pose.tangent * f.v)
    }

    /// Gap to the leader and the leader's speed, looking along the planned route.
    ///
    /// The leader is the mover ahead on the same path or, for the front mover of a path, the
    /// rearmost mover on the paths it will enter next. Where several paths feed one (junction
    /// connectors merging into a lane), a mover on another feeder that is closer to the merge
    /// point also counts as a leader, so merging movers queue instead of overlapping (ties go
    /// to the lower index, so two movers never wait for each other).
    private func leader(of i: Int, rank: Int) -> (gap: Double, speed: Double) {
        let f = followers[i]
        let list = occupants[f.path]
        if rank > 0 {
            let l = followers[list[rank - 1]]
            return (l.s - l.length - f.s, l.v)
        }
        var best = (gap: Double.infinity, speed: 0.0)
        var distance = network.paths[f.path].line.length - f.s  // from this mover to the end of `current`
        var current = f.path
        var next = f.next
        var hops = 0
        while distance < Self.lookAhead && hops < 3 {
            guard next >= 0 else { return Self.closer(best, (distance, 0)) }  // dead end: the end is a wall
            for feeder in feeders[next] where feeder != current {
                let feederLength = network.paths[feeder].line.length
                // Occupants are front first, so their distance to the merge grows along the list.
                for o in occupants[feeder] where o != i {
                    let remaining = feederLength - followers[o].s
                    guard yields(to: o, remaining: remaining, mover: i, distance: distance) else { break }
                    let gap = distance - remaining - followers[o].length
                    if gap < best.gap { best = (gap, followers[o].v) }
                }
                // Movers about to enter that feeder (short junction connectors) count too, so
                // the order at the merge is settled before anyone reaches it.
                for upstream in feeders[feeder] where upstream != current {
                    let upstreamLength = network.paths[upstream].line.length
                    for o in occupants[upstream] where o != i {
                        let remaining = upstreamLength - followers[o].s + feederLength
                        guard yields(to: o, remaining: remaining, mover: i, distance: distance) else { break }
                        guard followers[o].next == feeder else { continue }
                        let gap = distance - remaining - followers[o].length
                        if gap < best.gap { best = (gap, followers[o].v) }
                    }
                }
            }
            if let last = occupants[next].last(where: { $0 != i }) {
                let l = followers[last]
                return Self.closer(best, (distance + l.s - l.length, l.v))
            }
            distance += network.paths[next].line.length
            current = next
            let successors = network.paths[next].successors
            // Beyond the chosen next path the route is not decided yet; only follow single choices.
            guard successors.count == 1 else { break }
            next = successors[0]
            hops += 1
        }
        return best
    }

    /// At a merge the mover closer to the merge point goes first; ties go to the lower index.
    @inline(__always) private func yields(to other: Int, remaining: Double, mover i: Int, distance: Double) -> Bool {
        remaining < distance || (remaining == distance && other < i)
    }

    private static func closer(_ a: (gap: Double, speed: Double), _ b: (gap: Double, speed: Double)) -> (gap: Double, speed: Double) {
        a.gap <= b.gap ? a : b
    }

    /// Paths that lead into each path (for merges), computed once from the network.
    private var feeders: [[Int]]

    /// Longest integration step, s: larger world steps are split so the IDM stays stable.
    static let maxSubstep = 0.25

    /// Advances every follower by dt seconds.
    public mutating func step(dt: Double) {
        let substeps = max(1, Int((dt / Self.maxSubstep).rounded(.up)))
        for _ in 0..<substeps { substep(dt: dt / Double(substeps)) }
    }

    private mutating func substep(dt: Double) {
        let n = followers.count
        if accelerations.count != n {
            accelerations = Array(repeating: 0, count: n)
            leaderGap = Array(repeating: .infinity, count: n)
            targetSpeed = Array(repeating: 0, count: n)
        }
        // 1. Accelerations from the state at the start of the step (synchronous update).
        for path in occupants.indices {
            let list = occupants[path]
            let pathLength = network.paths[path].line.length
            let limit = network.paths[path].speedLimit
            for rank in list.indices {
                let i = list[rank]
                let f = followers[i]
                let (gap, leaderSpeed) = leader(of: i, rank: rank)
                var v0 = min(f.desiredSpeed, limit)
                if f.next >= 0 {
                    let vNext = network.paths[f.next].speedLimit
                    if vNext < v0 {
                        let d = max(0, pathLength - f.s)
                        v0 = min(v0, (vNext * vNext + 2 * f.comfortableDeceleration * d).squareRoot())
                    }
                }
                let free = 1 - pow4(f.v / v0)
                var a = f.maxAcceleration * free
                if gap.isFinite {
                    let dv = f.v - leaderSpeed
                    let sStar =
                        f.minGap
                        + max(0, f.v * f.timeHeadway + f.v * dv / (2 * (f.maxAcceleration * f.comfortableDeceleration).squareRoot()))
                    let g = max(gap, 0.01)
                    a = f.maxAcceleration * (free - (sStar / g) * (sStar / g))
                }
                accelerations[i] = max(a, -9.0)  // no better than an emergency stop
                targetSpeed[i] = v0
                leaderGap[i] = gap
            }
        }
        // 2. Integrate, never closing a gap below zero, and move across path ends.
        moved.removeAll(keepingCapacity: true)
        for i in 0..<n {
            var f = followers[i]
            // Never accelerate past the target speed within a step.
            let vNew = max(0, min(f.v + accelerations[i] * dt, max(f.v, targetSpeed[i])))
            var advance = 0.5 * (f.v + vNew) * dt
            var v = vNew
            let safeAdvance = leaderGap[i] - 0.1
            if advance > safeAdvance {
                advance = max(0, safeAdvance)
                v = min(v, advance / dt)
            }
            f.s += advance
            f.v = v
            var pathLength = network.paths[f.path].line.length
            var hops = 0
            while f.s >= pathLength {
                hops += 1
                guard f.next >= 0, hops <= 16 else {
                    f.s = pathLength
                    f.v = 0
                    break
                }
                f.s -= pathLength
                f.path = f.next
                f.next = Self.chooseSuccessor(of: f.path, in: network, rng: &f.rng)
                pathLength = network.paths[f.path].line.length
            }
            if f.path != followers[i].path { moved.append(Move(follower: i, from: followers[i].path)) }
            followers[i] = f
        }
        // 3. Keep occupant lists sorted.
        for move in moved {
            if let k = occupants[move.from].firstIndex(of: move.follower) { occupants[move.from].remove(at: k) }
            occupants[followers[move.follower].path].append(move.follower)
        }
        for path in occupants.indices where occupants[path].count > 1 { sortOccupants(of: path) }
    }

    /// Insertion sort by s descending: O(n) on the nearly sorted lists of consecutive steps.
    private mutating func sortOccupants(of path: Int) {
        var list = occupants[path]
        occupants[path] = []
        if list.count > 1 {
            for k in 1..<list.count {
                let item = list[k]
                let s = followers[item].s
                var j = k - 1
                while j >= 0 && followers[list[j]].s < s {
                    list[j + 1] = list[j]
                    j -= 1
                }
                list[j + 1] = item
            }
        }
        occupants[path] = list
    }
}

@inline(__always) private func pow4(_ x: Double) -> Double { let x2 = x * x; return x2 * x2 }
