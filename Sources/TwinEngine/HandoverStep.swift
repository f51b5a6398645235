import TwinMath
import TwinSensing
import TwinTracking
import TwinWorld

/// The run loop's side of sensing clusters and handover: turns the twin into the value
/// types the handover manager (TwinSensing) works on, before sensing (the frame's schedule,
/// from the tracks carried to the frame's time) and after tracking (the handovers).
///
/// With one fusion centre (no cooperation, or measurement-sharing: cross-operator links
/// exist) one manager serves the twin's tracks with clusters of any BSs. Under the edge
/// policies (isolated, track-sharing) there are no cross-operator links, so a cluster mixing
/// operators would light no link of either (trp-trp needs both ends lit): each operator's
/// manager serves that operator's edge tracks (mapped into the world frame with the core's
/// registered transform) with clusters of its own BSs, and the frame's schedule is the union
/// of the operators' (each BS belongs to one operator). Its events carry the operator, and
/// the track id of the twin (core) track the operator's track is fused into.
struct HandoverStep {
    /// One manager (single centre) or one per operator (edges), by operator index.
    private(set) var managers: [HandoverManager]
    /// Operator names of the managers (edges); nil with one manager over every BS.
    let operatorNames: [String]?
    let dt: Double

    /// Nil when the world's handover policy is `none` (every BS senses every target).
    init?(world: WorldSpec) {
        guard world.handover.policy != .none else { return nil }
        dt = world.simulation.dt
        switch world.cooperation?.policy {
        case .isolated?, .trackSharing?:
            let frames = OperatorFrames(world: world)
            managers = world.operators.indices.map { k in
                HandoverManager(world: world, allowed: world.baseStations.indices.map { frames.operatorOfStation[$0] == k })
            }
            operatorNames = world.operators.map(\.name)
        case nil, .measurementSharing?:
            managers = [HandoverManager(world: world)]
            operatorNames = nil
        }
    }

    /// Every manager's state (one, or one per operator), for the resume point.
    var states: [HandoverState] { managers.map(\.state) }

    mutating func restore(_ states: [HandoverState]) throws {
        guard states.count == managers.count else {
            throw CheckpointMismatch(subject: "handover", problems: ["\(states.count) handover states for \(managers.count) managers"])
        }
        for k in managers.indices { managers[k].restore(states[k]) }
    }

    /// The schedule of the frame at `time` from the centre's tracks after the previous frame.
    func schedule(centre: FusionCentre, frameIndex: Int, time: Double) -> SensingSchedule? {
        var merged: SensingSchedule?
        for (k, (twin, toWorld)) in sources(centre).enumerated() {
            let lead = twin.frameIndex < 0 ? 0 : max(0, time - twin.time)
            guard
                let s = managers[k].schedule(
                    frameIndex: frameIndex, time: time, dt: dt, predictions: Self.predictions(twin, in: toWorld, lead: lead))
            else { return nil }  // a search frame (the same for every manager) or policy none
            merged = merged.map { $0.merged(with: s) } ?? s
        }
        return merged
    }

    /// The handovers after the frame the centre has just tracked.
    mutating func update(centre: FusionCentre) -> [HandoverEvent] {
        var events: [HandoverEvent] = []
        for (k, (twin, toWorld)) in sources(centre).enumerated() {
            var mine = managers[k].update(
                frameIndex: twin.frameIndex, time: twin.time, dt: dt, tracks: Self.predictions(twin, in: toWorld, lead: 0))
            if let operatorNames {
                for i in mine.indices {
                    mine[i].operatorName = operatorNames[k]
                    mine[i].trackId = centre.coreTrack(operator: k, trackId: mine[i].trackId) ?? mine[i].trackId
                }
            }
            events += mine
        }
        return events
    }

    /// What each manager schedules from: the twin (one manager) or each operator's edge twin
    /// with its frame → world transform.
    private func sources(_ centre: FusionCentre) -> [(TwinState, FrameTransform?)] {
        guard operatorNames != nil else { return [(centre.twin, nil)] }
        return centre.edgeTwins.map { ($0.twin, $0.toWorld) }
    }

    /// Each track's estimate (in the world frame: mapped by `toWorld` if given) carried `lead`
    /// seconds ahead at constant velocity; the gate radius is 3·√(trace P_pos + lead²·trace
    /// P_vel) (cross terms left out).
    static func predictions(_ twin: TwinState, in toWorld: FrameTransform? = nil, lead: Double) -> [TrackPrediction] {
        twin.tracks.map {
            prediction(id: $0.id, toWorld.map($0.state(in:)) ?? $0.estimate, lead: lead, confirmed: $0.status != .tentative)
        }
    }

    static func prediction(id: Int, _ e: ModelState, lead: Double, confirmed: Bool) -> TrackPrediction {
        let v = e.mean.velocity
        let variance = e.covariance.positionBlock.trace + lead * lead * e.covariance.velocityBlock.trace
        return TrackPrediction(
            id: id, position: e.mean.position + v * lead, velocity: v,
            gateRadius: variance.isFinite ? 3 * max(0, variance).squareRoot() : .infinity, confirmed: confirmed)
    }
}
