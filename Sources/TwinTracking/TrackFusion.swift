import RealModule
import TwinMath

/// Covariance intersection (Julier & Uhlmann 1997): the fusion of two estimates whose errors
/// are correlated by an unknown amount, e.g. two operators' tracks of one target that share the
/// target's manoeuvres (process noise) and possibly measurements.
///
/// P⁻¹ = ω·P_a⁻¹ + (1 − ω)·P_b⁻¹, x = P·(ω·P_a⁻¹·a + (1 − ω)·P_b⁻¹·b), ω ∈ [0, 1]. For every
/// cross-correlation of the two errors, P stays an upper bound of the fused error's covariance
/// (consistent), where the independent-errors fusion (ω-free, P⁻¹ = P_a⁻¹ + P_b⁻¹) is
/// over-confident. ω is chosen to minimise det P (or its trace), by golden-section search on
/// [0, 1] with the end points (P_b at ω = 0, P_a at ω = 1) also tried.
public enum CovarianceIntersection {
    public enum Criterion: String, Sendable, Codable, CaseIterable {
        case determinant
        case trace
    }

    /// The fused estimate for a given ω; nil when a covariance is not positive definite.
    public static func fuse(
        _ a: StateVector, _ pa: StateMatrix, _ b: StateVector, _ pb: StateMatrix, omega: Double
    ) -> ModelState? {
        guard let ia = inverse(pa), let ib = inverse(pb) else { return nil }
        return fuse(a, information: ia, b, information: ib, omega: omega)
    }

    /// The fused estimate with ω minimising the criterion, and that ω.
    public static func fuse(
        _ a: StateVector, _ pa: StateMatrix, _ b: StateVector, _ pb: StateMatrix, criterion: Criterion = .determinant
    ) -> (state: ModelState, omega: Double)? {
        guard a.count == b.count, pa.count == a.count, pb.count == b.count, let ia = inverse(pa), let ib = inverse(pb) else {
            return nil
        }
        func cost(_ w: Double) -> Double {
            guard let s = fuse(a, information: ia, b, information: ib, omega: w) else { return .infinity }
            return criterion == .trace ? (0..<s.covariance.count).reduce(0) { $0 + s.covariance[$1, $1] } : logDeterminant(s.covariance)
        }
        // Equal information (P_a = P_b up to rounding) makes every ω give the same P: take the
        // symmetric ω = ½ (the midpoint of the two means) rather than wherever rounding leads.
        let (c0, cHalf, c1) = (cost(0), cost(0.5), cost(1))
        if cHalf.isFinite && abs(c0 - cHalf) <= 1e-12 * (1 + abs(cHalf)) && abs(c1 - cHalf) <= 1e-12 * (1 + abs(cHalf)) {
            guard let state = fuse(a, information: ia, b, information: ib, omega: 0.5) else { return nil }
            return (state, 0.5)
        }
        let w = goldenSectionMinimum(lower: 0, upper: 1, cost: cost)
        var best = (omega: w, cost: cost(w))
        for (w, c) in [(0.0, c0), (1.0, c1)] where c < best.cost { best = (w, c) }
        guard let state = fuse(a, information: ia, b, information: ib, omega: best.omega) else { return nil }
        return (state, best.omega)
    }

    /// The independent-errors (information filter) fusion: P⁻¹ = P_a⁻¹ + P_b⁻¹. Over-confident
    /// when the errors are correlated; for comparison only.
    public static func fuseIndependent(_ a: StateVector, _ pa: StateMatrix, _ b: StateVector, _ pb: StateMatrix) -> ModelState? {
        guard let ia = inverse(pa), let ib = inverse(pb), let p = inverse(ia + ib) else { return nil }
        var m = p * (ia * a + ib * b)
        m = m.resized(a.count)
        return ModelState(mean: m, covariance: p)
    }

    static func fuse(_ a: StateVector, information ia: StateMatrix, _ b: StateVector, information ib: StateMatrix, omega w: Double)
        -> ModelState?
    {
        let info = w * ia + (1 - w) * ib
        guard var p = inverse(info) else { return nil }
        p.symmetrize()
        let mean = p * (w * (ia * a) + (1 - w) * (ib * b))
        guard mean.isFinite, p.isFinite else { return nil }
        return ModelState(mean: mean, covariance: p)
    }

    /// The inverse of a symmetric positive-definite matrix (Cholesky solves), or nil.
    public static func inverse(_ p: StateMatrix) -> StateMatrix? {
        let n = p.count
        var r = StateMatrix(count: n)
        for j in 0..<n {
            var e = StateVector(count: n)
            e[j] = 1
            guard let x = p.solve(e) else { return nil }
            for i in 0..<n { r[i, j] = x[i] }
        }
        r.symmetrize()
        return r
    }

    /// ln det P by Cholesky (∞ when P is not positive definite).
    public static func logDeterminant(_ p: StateMatrix) -> Double {
        let n = p.count
        var l = StateMatrix(count: n)
        var sum = 0.0
        for j in 0..<n {
            var d = p[j, j]
            for k in 0..<j { d -= l[j, k] * l[j, k] }
            guard d > 0, d.isFinite else { return .infinity }
            let ljj = d.squareRoot()
            l[j, j] = ljj
            sum += 2 * Double.log(ljj)
            for i in (j + 1)..<Swift.max(j + 1, n) {
                var s = p[i, j]
                for k in 0..<j { s -= l[i, k] * l[j, k] }
                l[i, j] = s / ljj
            }
        }
        return sum
    }
}

extension Track {
    /// The track's position and velocity (6 elements) mapped into another frame by `t`:
    /// positions by R·p + t, velocities by R·v, covariance by T·P·Tᵀ with T = diag(R, R).
    public func state(in t: FrameTransform) -> ModelState {
        let e = estimate
        let mean6 = e.mean.resized(6)
        let cov6 = e.covariance.resized(6)
        let (c, s) = (Double.cos(t.rotation), Double.sin(t.rotation))
        var rot = StateMatrix.identity(6)
        for block in [0, 3] {
            rot[block, block] = c
            rot[block, block + 1] = -s
            rot[block + 1, block] = s
            rot[block + 1, block + 1] = c
        }
        var mean = rot * mean6
        for i in 0..<3 { mean[i] += t.translation[i] }
        return ModelState(mean: mean, covariance: cov6.congruence(rot))
    }
}

/// One operator's track as the core sees it: in the world frame (after the operator's frame
/// calibration), position and velocity only.
public struct SourceTrack: Sendable, Equatable {
    /// The operator (edge fusion centre) it comes from.
    public var source: Int
    public var track: Track
    /// Position and velocity in the world frame.
    public var state: ModelState

    public init(source: Int, track: Track, state: ModelState) {
        self.source = source
        self.track = track
        self.state = state
    }
}

/// Track-to-track association and fusion at the core (docs/domain.md §8, §9): the operators' edge
/// fusion centres keep their own twins; the core keeps one track per target over all of them.
///
/// Each frame, of the operators' confirmed and coasting tracks (in the world frame):
/// 1. a track already in a core group stays there while its position passes the χ² gate
///    (3 degrees of freedom, `gate`) against the group's first member (lowest operator);
///    otherwise it leaves the group;
/// 2. every other track, in order of operator and id, joins the group without a track of its
///    operator whose first member is nearest within the gate (d² = Δpᵀ(P_a + P_b)⁻¹Δp), or
///    starts a group with a new core id (never reused);
/// 3. each group gives one core track: the member with the smallest ln det of its full state
///    covariance (`best`: the isolated policy; the criterion CI minimises, so `best` keeps the
///    member CI would keep at ω ∈ {0, 1}) or the covariance intersection of its members in
///    operator order (`covarianceIntersection`: the track-sharing policy).
/// A group whose members all ended is deleted. Its state is `TrackFusionState` (Codable).
public struct TrackFusion: Sendable {
    public enum Rule: String, Sendable, Codable {
        case best
        case covarianceIntersection = "covariance-intersection"
    }

    public let rule: Rule
    public let gate: Double
    public private(set) var state: TrackFusionState

    public init(rule: Rule, gate: Double, state: TrackFusionState = TrackFusionState()) {
        self.rule = rule
        self.gate = gate
        self.state = state
    }

    /// The core twin of one frame from the operators' tracks, with the core ids born and deleted.
    public mutating func fuse(frameIndex: Int, time: Double, tracks input: [SourceTrack], rejectedDetections: Int)
        -> (twin: TwinState, born: [Int], deleted: [Int])
    {
        let tracks = input.sorted { ($0.source, $0.track.id) < ($1.source, $1.track.id) }
        let before = Set(state.members.map(\.coreId))
        // Members still alive keep their group, by (source, track id).
        var coreOf: [Int?] = tracks.map { t in
            state.members.first(where: { $0.source == t.source && $0.trackId == t.track.id })?.coreId
        }
        // Gate check against the group's first member.
        for k in tracks.indices {
            guard let core = coreOf[k], let first = tracks.indices.first(where: { coreOf[$0] == core }), first != k else { continue }
            if distanceSquared(tracks[k].state, tracks[first].state) > gate { coreOf[k] = nil }
        }
        var next = state.nextId
        var born: [Int] = []
        for k in tracks.indices where coreOf[k] == nil {
            var best: (core: Int, d2: Double)?
            var cores: [Int] = []
            for j in tracks.indices { if let c = coreOf[j], !cores.contains(c) { cores.append(c) } }
            for core in cores {
                let members = tracks.indices.filter { coreOf[$0] == core }
                guard !members.contains(where: { tracks[$0].source == tracks[k].source }) else { continue }
                let d2 = distanceSquared(tracks[k].state, tracks[members[0]].state)
                if d2 <= gate && d2 < (best?.d2 ?? .infinity) { best = (core, d2) }
            }
            if let best {
                coreOf[k] = best.core
            } else {
                coreOf[k] = next
                born.append(next)
                next += 1
            }
        }
        state.nextId = next
        state.members = tracks.indices.map {
            TrackFusionState.Member(source: tracks[$0].source, trackId: tracks[$0].track.id, coreId: coreOf[$0]!)
        }
        let cores = Set(coreOf.compactMap { $0 }).sorted()
        var out: [Track] = []
        for core in cores {
            let members = tracks.indices.filter { coreOf[$0] == core }.map { tracks[$0] }
            out.append(combine(members, id: core))
        }
        let deleted = before.subtracting(cores).sorted()
        let twin = TwinState(frameIndex: frameIndex, time: time, nextTrackId: next, tracks: out, rejectedDetections: rejectedDetections)
        return (twin, born.filter { !deleted.contains($0) }, deleted)
    }

    /// Squared Mahalanobis distance of the positions: Δpᵀ(P_a + P_b)⁻¹Δp (∞ if singular).
    public func distanceSquared(_ a: ModelState, _ b: ModelState) -> Double {
        let s = a.covariance.positionBlock + b.covariance.positionBlock
        guard let inv = s.inverse else { return .infinity }
        let d = a.mean.position - b.mean.position
        let d2 = inv.quadratic(d)
        return d2.isFinite ? d2 : .infinity
    }

    func combine(_ members: [SourceTrack], id: Int) -> Track {
        var fused = members[0].state
        switch rule {
        case .best:
            // CI's criterion (ln det of the full state covariance): `best` is the member CI
            // would keep at ω ∈ {0, 1}.
            let cost = members.map { CovarianceIntersection.logDeterminant($0.state.covariance) }
            fused = members[cost.indices.min(by: { cost[$0] < cost[$1] })!].state
        case .covarianceIntersection:
            for m in members.dropFirst() {
                if let f = CovarianceIntersection.fuse(fused.mean, fused.covariance, m.state.mean, m.state.covariance) {
                    fused = f.state
                }
            }
        }
        let ts = members.map(\.track)
        return Track(
            id: id, status: ts.contains(where: { $0.status == .confirmed }) ? .confirmed : .coasting, components: [fused],
            modelProbabilities: [1], birthTime: ts.map(\.birthTime).min()!, lastUpdate: ts.map(\.lastUpdate).max()!,
            age: ts.map(\.age).max()!, hits: ts.map(\.hits).max()!, misses: ts.map(\.misses).min()!,
            hitHistory: ts.reduce(0) { $0 | $1.hitHistory }, classLogLikelihoods: [])
    }
}

/// What the core's track fusion carries from frame to frame.
public struct TrackFusionState: Sendable, Equatable, Codable {
    public struct Member: Sendable, Equatable, Codable {
        public var source: Int
        public var trackId: Int
        public var coreId: Int
    }

    /// The id the next core track gets.
    public var nextId: Int
    /// Every operator track in a core group, by (source, track id).
    public var members: [Member]

    public init(nextId: Int = 1, members: [Member] = []) {
        self.nextId = nextId
        self.members = members
    }
}

extension TrackerFrameReport {
    /// A report built outside the tracker (the core's fused twin).
    public init(rejected: Int, born: [Int], confirmed: [Int], deleted: [Int], numericalFailures: Int) {
        self.init()
        (self.rejected, self.born, self.confirmed, self.deleted, self.numericalFailures) =
            (rejected, born, confirmed, deleted, numericalFailures)
    }
}
