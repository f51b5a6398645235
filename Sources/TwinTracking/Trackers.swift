import TwinConfiguration
import TwinMath

/// The trackers by name (`tracker.name`, `--tracker`). Each built-in is a `MultiTargetTracker`
/// composed of an associator and a motion model:
///
/// - association `gnn` (global nearest neighbour, optimal assignment on d² + ln|S|) or `jpda`
///   (joint probabilistic data association: exact joint events up to
///   `jpdaHypothesisBudget`, then Fitzgerald's cheap JPDA);
/// - motion `cv` (constant velocity), `ca` (constant acceleration), `ct` (coordinated turn
///   with constant climb, EKF prediction) or `imm` (an IMM over CV and CT);
///
/// with the Kalman updater (`measurement: position` or `raw`), one-point initiation with M-of-N
/// confirmation, and deletion after misses or covariance growth. A library user registers a
/// tracker of their own with `Trackers.registry.register(name, summary:) { settings, state in … }`
/// (docs/architecture.md, "Adding an algorithm").
public enum Trackers {
    /// Builds a tracker from its settings and the twin to start from; throws
    /// `TrackerSettingsError` for settings it cannot run with (problems named by key).
    public typealias Factory = @Sendable (TrackerSettings, TwinState) throws -> any Tracker

    public static let registry = Registry<Factory>(kind: "tracker", builtIn: builtIn)

    /// The tracker `settings.name` names, starting from `state`, after checking every key.
    public static func make(_ settings: TrackerSettings, state: TwinState = TwinState()) throws(TrackerSettingsError) -> any Tracker {
        let problems = settings.problems
        guard problems.isEmpty, let make = registry.factory(settings.name) else { throw TrackerSettingsError(problems: problems) }
        do {
            return try make(settings, state)
        } catch let error as TrackerSettingsError {
            throw error
        } catch {
            throw TrackerSettingsError(problems: [("name", "a tracker '\(settings.name)' can build", "\(error)")])
        }
    }

    private static var builtIn: [Registry<Factory>.Entry] {
        typealias Models = @Sendable (TrackerSettings) -> [MotionSettings]
        let cv: Models = { [MotionSettings(model: .constantVelocity, processNoise: $0.processNoise, turnRateNoise: $0.turnRateNoise)] }
        let ct: Models = { [MotionSettings(model: .constantTurn, processNoise: $0.processNoise, turnRateNoise: $0.turnRateNoise)] }
        let motions: [(name: String, summary: String, models: Models)] = [
            ("cv", "constant velocity", cv),
            ("ca", "constant acceleration", { [MotionSettings(model: .constantAcceleration, processNoise: $0.processNoise)] }),
            ("ct", "coordinated turn with constant climb (EKF)", ct), ("imm", "an IMM over constant velocity and coordinated turn", { cv($0) + ct($0) }),
        ]
        let associations = [("gnn", "global nearest neighbour"), ("jpda", "JPDA")]
        return associations.flatMap { association in
            motions.map { motion in
                Registry<Factory>.Entry(
                    name: "\(association.0)-\(motion.name)", summary: "\(association.1), \(motion.summary)",
                    make: { settings, state in
                        try standard(jpda: association.0 == "jpda", models: motion.models(settings), settings, state: state)
                    })
            }
        }
    }

    /// A built-in composition: the associator, the motion models, the Kalman updater, M-of-N
    /// initiation and the misses-or-spread deleter.
    static func standard(jpda: Bool, models: [MotionSettings], _ s: TrackerSettings, state: TwinState) throws
        -> MultiTargetTracker
    {
        if jpda && s.measurement == .raw {
            throw TrackerSettingsError(problems: [
                (
                    "measurement", "'position' with a jpda tracker (raw updates need one detection per track: use a gnn tracker)",
                    "'raw' with '\(s.name)'"
                )
            ])
        }
        if let problem = IMMPredictor.problem(models) { throw TrackerSettingsError(problems: [problem]) }
        let associator: any Associator =
            jpda
            ? JPDAAssociator(
                gateProbability: s.gateProbability, detectionProbability: s.detectionProbability, clutterDensity: s.clutterDensity,
                hypothesisBudget: s.jpdaHypothesisBudget)
            : GNNAssociator(gateProbability: s.gateProbability)
        return MultiTargetTracker(
            predictor: IMMPredictor(models: models, switchProbability: s.switchProbability),
            updater: KalmanUpdater(measurement: s.measurement, classes: s.classes), associator: associator,
            initiator: MOfNInitiator(
                hits: s.confirmHits, window: s.confirmWindow, velocitySigma: s.initialVelocitySigma,
                accelerationSigma: s.initialAccelerationSigma, turnRateSigma: s.initialTurnRateSigma),
            deleter: MissesOrSpreadDeleter(misses: s.deleteAfterMisses, maxPositionSigma: s.maxPositionSigma), state: state)
    }
}
