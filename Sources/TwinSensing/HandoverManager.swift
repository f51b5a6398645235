import RealModule
import TwinMath
import TwinWorld

/// A set of base stations serving one target together, identified by its members (BS
/// indices, ascending); named by their BS names joined with "+", e.g. "macro-1+micro-3".
public struct SensingCluster: Sendable, Hashable, Codable, Comparable {
    public var members: [Int]

    public init(_ members: [Int]) { self.members = members.sorted() }

    public static func < (a: Self, b: Self) -> Bool { a.members.lexicographicallyPrecedes(b.members) }

    public func name(_ names: [String]) -> String { members.map { names[$0] }.joined(separator: "+") }
}

/// What the handover manager needs of a track: its estimate now (built from the twin by
/// TwinEngine; TwinSensing does not see the tracker's types).
public struct TrackPrediction: Sendable, Equatable {
    public var id: Int
    public var position: Vec3
    public var velocity: Vec3
    /// 3σ gate radius of the position, m (e.g. 3·√trace P).
    public var gateRadius: Double
    /// Confirmed or coasting (only those are served by clusters and handed over).
    public var confirmed: Bool

    public init(id: Int, position: Vec3, velocity: Vec3, gateRadius: Double, confirmed: Bool) {
        self.id = id
        self.position = position
        self.velocity = velocity
        self.gateRadius = gateRadius
        self.confirmed = confirmed
    }
}

/// One change of a track's serving cluster. `from` is nil for the first assignment.
/// `operatorName`: the operator whose manager handed over (edge cooperation policies, where
/// each operator manages clusters of its own BSs for its own tracks); nil with one manager.
public struct HandoverEvent: Sendable, Equatable, Codable {
    public var frameIndex: Int
    public var time: Double
    public var trackId: Int
    public var from: String?
    public var to: String
    public var reason: String
    public var operatorName: String?

    public init(
        frameIndex: Int, time: Double, trackId: Int, from: String?, to: String, reason: String, operatorName: String? = nil
    ) {
        self.frameIndex = frameIndex
        self.time = time
        self.trackId = trackId
        self.from = from
        self.to = to
        self.reason = reason
        self.operatorName = operatorName
    }
}

/// The manager's state between frames (persisted in the resume point).
public struct HandoverState: Sendable, Equatable, Codable {
    public struct TrackEntry: Sendable, Equatable, Codable {
        public var trackId: Int
        public var serving: SensingCluster
        /// When the serving cluster's beams are up (time of the handover + execution delay).
        public var beamsFrom: Double
        /// Since when the handover condition has held continuously towards `conditionTarget`
        /// (nil: it does not).
        public var conditionSince: Double?
        /// The candidate cluster the condition holds for (3GPP A3: time-to-trigger runs per
        /// candidate and restarts when the candidate changes).
        public var conditionTarget: SensingCluster?
    }

    /// Served tracks, by increasing id.
    public var tracks: [TrackEntry] = []

    public init() {}
}

/// Sensing clusters and handover (docs/domain.md §8; README "Sensing clusters and handover").
///
/// **Cluster choice** at a point p (`preferredCluster`): micro BSs whose predicted SNR
/// (`SensingQualityModel`) is at least `thresholdDb + margin` serve alone — the best
/// `clusterSize` of them — when there are `clusterSize` such micros (p is inside the micro
/// overlap); otherwise the best macro (if it covers, SNR ≥ `thresholdDb`) with the best
/// `clusterSize − 1` covering micros; without a covering macro, the best `clusterSize`
/// covering BSs. Nothing covering: no cluster. `margin` is `hysteresisDb` for the hysteresis
/// and predictive policies, 0 for `strongest`.
///
/// **Policies**, per confirmed (or coasting) track, at its estimate p after each frame:
/// - first assignment ("initial") as soon as a cluster covers p;
/// - the *handover condition* holds when the preferred cluster differs from the serving one
///   and (a) the serving cluster no longer covers p (a member below `thresholdDb`), or (b) both
///   are of one kind (both hold a macro, or both are micro-only) and the preferred cluster's
///   quality exceeds the serving one's by more than `hysteresisDb` (strongest: by more than
///   0), or (c) the preferred cluster is micro-only and the serving one holds a macro (the
///   target entered the micro overlap: the macro is released). A micro-only cluster thus
///   serves until one of its micros drops below `thresholdDb` (entering needed
///   `thresholdDb + hysteresisDb`), however much stronger the macro is;
/// - `strongest` hands over at the first frame the condition holds; `hysteresis` and
///   `predictive` when it has held continuously for `timeToTrigger` towards one candidate
///   (the frame at which `t − t_first ≥ timeToTrigger`; as in 3GPP A3 the timer runs per
///   candidate: when the preferred cluster changes, it restarts);
/// - no handover is considered during a handover's execution delay (after frames at
///   t ≤ beamsFrom, whose new beams are not up yet);
/// - `predictive` also samples p + v·h for h = dt, 2dt, … ≤ `predictionHorizon`; at the first h
///   where the serving cluster would no longer cover, it hands over at once to the cluster
///   preferred at p + v·h (margin 0), provided that cluster already covers p.
///
/// A handover after the frame at t releases the old beams at once; the new cluster's beams
/// light frames after t + `executionDelay` (strictly: a delay of one frame interval costs one
/// frame; 0 costs none; the initial assignment has no delay). Tentative tracks get acquisition
/// beams from every BS. A cluster change is an event (time, track, from, to, reason).
///
/// `allowed` restricts the manager to some base stations (one operator's, under the edge
/// cooperation policies): clusters are formed of them only and acquisition beams come from
/// them only. Nil: every BS.
public struct HandoverManager: Sendable {
    public let spec: HandoverSpec
    public let quality: SensingQualityModel
    /// The base stations this manager may use, by BS index (nil: all).
    public let allowed: [Bool]?
    public private(set) var state = HandoverState()

    public init(spec: HandoverSpec, quality: SensingQualityModel, allowed: [Bool]? = nil) {
        precondition(allowed.map { $0.count == quality.count } ?? true, "one allowed flag per base station")
        self.spec = spec
        self.quality = quality
        self.allowed = allowed
    }

    public init(world: WorldSpec, allowed: [Bool]? = nil) {
        self.init(spec: world.handover, quality: SensingQualityModel(world: world), allowed: allowed)
    }

    func isAllowed(_ bs: Int) -> Bool { allowed?[bs] ?? true }

    public mutating func restore(_ state: HandoverState) { self.state = state }

    /// The serving cluster of a track, if any.
    public func serving(_ trackId: Int) -> SensingCluster? { state.tracks.first { $0.trackId == trackId }?.serving }

    /// Whether `frameIndex` is a search frame (every BS senses everywhere): every
    /// round(searchPeriod / dt)-th frame, starting with frame 0.
    public func isSearchFrame(_ frameIndex: Int, dt: Double) -> Bool {
        let period = max(1, Int((spec.searchPeriod / dt).rounded()))
        return frameIndex % period == 0
    }

    /// The cluster preferred at `p` (see the type's documentation), or nil if nothing covers.
    public func preferredCluster(at p: Vec3, margin: Double) -> SensingCluster? {
        let n = quality.count
        let snr = (0..<n).map { quality.snrDb(bs: $0, at: p) }
        let threshold = spec.thresholdDb
        // Allowed BSs, best first; ties by index (deterministic).
        let order = (0..<n).filter(isAllowed).sorted { snr[$0] != snr[$1] ? snr[$0] > snr[$1] : $0 < $1 }
        let micros = order.filter { !quality.isMacro[$0] }
        let strong = micros.filter { snr[$0] >= threshold + margin }
        if strong.count >= spec.clusterSize { return SensingCluster(Array(strong.prefix(spec.clusterSize))) }
        let covering = micros.filter { snr[$0] >= threshold }
        if let macro = order.first(where: { quality.isMacro[$0] }), snr[macro] >= threshold {
            return SensingCluster([macro] + covering.prefix(spec.clusterSize - 1))
        }
        let any = order.filter { snr[$0] >= threshold }
        return any.isEmpty ? nil : SensingCluster(Array(any.prefix(spec.clusterSize)))
    }

    func hasMacro(_ cluster: SensingCluster) -> Bool { cluster.members.contains { quality.isMacro[$0] } }

    /// Whether every member of `cluster` covers `p` (SNR ≥ `thresholdDb`).
    public func covers(_ cluster: SensingCluster, _ p: Vec3) -> Bool {
        cluster.members.allSatisfy { quality.snrDb(bs: $0, at: p) >= spec.thresholdDb }
    }

    /// The beams of the frame at `time` for tracks predicted to `predictions` (their
    /// estimates carried to this frame), or nil on a search frame or with policy `none`.
    public func schedule(frameIndex: Int, time: Double, dt: Double, predictions: [TrackPrediction]) -> SensingSchedule? {
        guard spec.policy != .none, !isSearchFrame(frameIndex, dt: dt) else { return nil }
        var beams = [[SensingSchedule.Beam]](repeating: [], count: quality.count)
        for p in predictions {
            let beam = SensingSchedule.Beam(center: p.position, radius: max(p.gateRadius, spec.minBeamRadius))
            if p.confirmed, let entry = state.tracks.first(where: { $0.trackId == p.id }) {
                // Between a handover and the new beams: no beam (the interruption).
                if time > entry.beamsFrom + 1e-9 { for b in entry.serving.members { beams[b].append(beam) } }
            } else {
                // Tentative, or confirmed but covered by no cluster: acquisition beams from every
                // (allowed) BS.
                for b in beams.indices where isAllowed(b) { beams[b].append(beam) }
            }
        }
        return SensingSchedule(beams: beams)
    }

    /// Updates every track's serving cluster after the frame at `time`, from the tracks'
    /// estimates then; returns the handovers (in track-id order). Entries of tracks no longer
    /// in `tracks` are dropped.
    public mutating func update(frameIndex: Int, time: Double, dt: Double, tracks: [TrackPrediction]) -> [HandoverEvent] {
        guard spec.policy != .none else { return [] }
        var events: [HandoverEvent] = []
        var next: [HandoverState.TrackEntry] = []
        let names = quality.names
        let strongest = spec.policy == .strongest
        let hysteresis = strongest ? 0 : spec.hysteresisDb
        let timeToTrigger = strongest ? 0 : spec.timeToTrigger
        for track in tracks.sorted(by: { $0.id < $1.id }) where track.confirmed && track.position.isFinite {
            let p = track.position
            guard var entry = state.tracks.first(where: { $0.trackId == track.id }) else {
                if let cluster = preferredCluster(at: p, margin: hysteresis) {
                    next.append(.init(trackId: track.id, serving: cluster, beamsFrom: time, conditionSince: nil, conditionTarget: nil))
                    events.append(
                        HandoverEvent(
                            frameIndex: frameIndex, time: time, trackId: track.id, from: nil, to: cluster.name(names), reason: "initial"))
                }
                continue
            }
            func handOver(to cluster: SensingCluster, reason: String) {
                events.append(
                    HandoverEvent(
                        frameIndex: frameIndex, time: time, trackId: track.id, from: entry.serving.name(names), to: cluster.name(names),
                        reason: reason))
                entry.serving = cluster
                entry.beamsFrom = time + spec.executionDelay
                entry.conditionSince = nil
                entry.conditionTarget = nil
            }
            // During the execution delay of the last handover (its beams not up yet: frames at
            // t ≤ beamsFrom have none) the estimate only coasts; no new handover is considered.
            if time <= entry.beamsFrom + 1e-9 {
                entry.conditionSince = nil
                entry.conditionTarget = nil
                next.append(entry)
                continue
            }
            // Predictive: hand over before the serving cluster loses the target.
            if spec.policy == .predictive && spec.predictionHorizon > 0 && dt > 0 && track.velocity.isFinite {
                let steps = Int((spec.predictionHorizon / dt + 1e-9).rounded(.down))
                if let k = (1...max(1, steps)).first(where: { !covers(entry.serving, p + track.velocity * (Double($0) * dt)) }),
                    steps >= 1,
                    let target = preferredCluster(at: p + track.velocity * (Double(k) * dt), margin: 0),
                    target != entry.serving, covers(target, p)
                {
                    handOver(to: target, reason: "serving predicted below threshold in \(format(Double(k) * dt)) s")
                    next.append(entry)
                    continue
                }
            }
            // The A3-like condition.
            var condition: String?
            if let candidate = preferredCluster(at: p, margin: hysteresis), candidate != entry.serving {
                let gain = quality.qualityDb(candidate.members, at: p) - quality.qualityDb(entry.serving.members, at: p)
                let (candidateMacro, servingMacro) = (hasMacro(candidate), hasMacro(entry.serving))
                if !covers(entry.serving, p) {
                    condition = "serving below threshold"
                } else if candidateMacro == servingMacro && gain > hysteresis {
                    condition = "better by \(format(gain)) dB"
                } else if !candidateMacro && servingMacro {
                    condition = "inside micro overlap"
                }
                if let condition {
                    // A new candidate restarts the time-to-trigger.
                    let since = entry.conditionTarget == candidate ? entry.conditionSince ?? time : time
                    entry.conditionSince = since
                    entry.conditionTarget = candidate
                    if time - since >= timeToTrigger - 1e-9 {
                        handOver(to: candidate, reason: timeToTrigger > 0 ? "\(condition) for \(format(time - since)) s" : condition)
                    }
                }
            }
            if condition == nil {
                entry.conditionSince = nil
                entry.conditionTarget = nil
            }
            next.append(entry)
        }
        state.tracks = next
        return events
    }

    private func format(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : "\(r)"
    }
}
