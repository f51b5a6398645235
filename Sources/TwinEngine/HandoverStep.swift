import TwinMath
import TwinSensing
import TwinTracking
import TwinWorld

/// The run loop's side of sensing clusters and handover: turns the twin into the value
/// types the handover manager (TwinSensing) works on, before sensing (the frame's schedule,
/// from the tracks carried to the frame's time) and after tracking (the handovers).
struct HandoverStep {
    var manager: HandoverManager
    let dt: Double

    /// Nil when the world's handover policy is `none` (every BS senses every target).
    init?(world: WorldSpec) {
        guard world.handover.policy != .none else { return nil }
        manager = HandoverManager(world: world)
        dt = world.simulation.dt
    }

    /// The schedule of the frame at `time` from the twin of the previous frame. (Handover runs
    /// with one fusion centre only: the world file refuses it under edge cooperation policies,
    /// so the twin holds every track, tentative ones included.)
    func schedule(twin: TwinState, frameIndex: Int, time: Double) -> SensingSchedule? {
        let lead = twin.frameIndex < 0 ? 0 : max(0, time - twin.time)
        return manager.schedule(frameIndex: frameIndex, time: time, dt: dt, predictions: Self.predictions(twin, lead: lead))
    }

    /// The handovers after the frame whose twin is `twin`.
    mutating func update(twin: TwinState) -> [HandoverEvent] {
        manager.update(frameIndex: twin.frameIndex, time: twin.time, dt: dt, tracks: Self.predictions(twin, lead: 0))
    }

    /// Each track's estimate carried `lead` seconds ahead at constant velocity; the gate
    /// radius is 3·√(trace P_pos + lead²·trace P_vel) (cross terms left out).
    static func predictions(_ twin: TwinState, lead: Double) -> [TrackPrediction] {
        twin.tracks.map { prediction(id: $0.id, $0.estimate, lead: lead, confirmed: $0.status != .tentative) }
    }

    static func prediction(id: Int, _ e: ModelState, lead: Double, confirmed: Bool) -> TrackPrediction {
        let v = e.mean.velocity
        let variance = e.covariance.positionBlock.trace + lead * lead * e.covariance.velocityBlock.trace
        return TrackPrediction(
            id: id, position: e.mean.position + v * lead, velocity: v,
            gateRadius: variance.isFinite ? 3 * max(0, variance).squareRoot() : .infinity, confirmed: confirmed)
    }
}
