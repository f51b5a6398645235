import TwinMath

/// How detections are matched to tracks.
public enum AssociationMethod: String, Sendable, Codable, CaseIterable {
    /// Global nearest neighbour: one detection per track by optimal assignment on
    /// d² + ln|S| within the gate (Jonker–Volgenant, TwinMath `Assignment`).
    case gnn
    /// Joint probabilistic data association: every gated detection updates the track, weighted
    /// by its posterior association probability over the joint events of its cluster.
    case jpda
}

/// What a track is updated with.
public enum MeasurementLevel: String, Sendable, Codable, CaseIterable {
    /// The fusion centre's position and covariance (linear Kalman update).
    case position
    /// The raw ranges, Doppler and angles behind each localisation (extended Kalman update,
    /// one scalar at a time); falls back to the position when a detection carries none.
    case raw
}

/// A target class for the RCS-based class estimate: log-normal RCS (normal in dBsm).
public struct TargetClass: Sendable, Equatable, Codable {
    public var name: String
    public var meanDbsm: Double
    public var spreadDb: Double

    public init(name: String, meanDbsm: Double, spreadDb: Double) {
        self.name = name
        self.meanDbsm = meanDbsm
        self.spreadDb = spreadDb
    }
}

/// Everything that configures a `MultiTargetTracker`. Defaults suit the factory and road
/// worlds at 10 frames/s; every field is documented in worlds/README.md (`tracker` section).
public struct TrackerSettings: Sendable, Equatable, Codable {
    public var association: AssociationMethod
    /// One model: a single (extended) Kalman filter. Two or more: an IMM over them, in a
    /// common state of the largest dimension.
    public var models: [MotionSettings]
    /// IMM: probability of switching model between frames (spread evenly over the others).
    public var switchProbability: Double
    public var measurement: MeasurementLevel
    /// Gate: χ² quantile of this probability with 3 dof (0.99 → 11.34).
    public var gateProbability: Double
    /// Confirmation: `confirmHits` detections within the first `confirmWindow` frames.
    public var confirmHits: Int
    public var confirmWindow: Int
    /// A confirmed track is deleted after this many consecutive misses …
    public var deleteAfterMisses: Int
    /// … or when its position standard deviation (largest axis) exceeds this, m.
    public var maxPositionSigma: Double
    /// Prior standard deviations of a new track's unobserved elements.
    public var initialVelocitySigma: Double
    public var initialAccelerationSigma: Double
    public var initialTurnRateSigma: Double
    /// JPDA: probability that a target is detected in a frame, and the density of false
    /// detections, per m³.
    public var detectionProbability: Double
    public var clutterDensity: Double
    /// JPDA: joint events enumerated per cluster before the cheap-JPDA approximation
    /// (Fitzgerald 1985) takes over.
    public var jpdaHypothesisBudget: Int
    /// Classes for the RCS class estimate (empty: no class estimate).
    public var classes: [TargetClass]

    public init(
        association: AssociationMethod = .gnn,
        models: [MotionSettings] = [MotionSettings(model: .constantVelocity, processNoise: 10)],
        switchProbability: Double = 0.05, measurement: MeasurementLevel = .position, gateProbability: Double = 0.99,
        confirmHits: Int = 3, confirmWindow: Int = 5, deleteAfterMisses: Int = 5, maxPositionSigma: Double = 20,
        initialVelocitySigma: Double = 10, initialAccelerationSigma: Double = 3, initialTurnRateSigma: Double = 0.5,
        detectionProbability: Double = 0.9, clutterDensity: Double = 1e-6, jpdaHypothesisBudget: Int = 10_000,
        classes: [TargetClass] = []
    ) {
        self.association = association
        self.models = models
        self.switchProbability = switchProbability
        self.measurement = measurement
        self.gateProbability = gateProbability
        self.confirmHits = confirmHits
        self.confirmWindow = confirmWindow
        self.deleteAfterMisses = deleteAfterMisses
        self.maxPositionSigma = maxPositionSigma
        self.initialVelocitySigma = initialVelocitySigma
        self.initialAccelerationSigma = initialAccelerationSigma
        self.initialTurnRateSigma = initialTurnRateSigma
        self.detectionProbability = detectionProbability
        self.clutterDensity = clutterDensity
        self.jpdaHypothesisBudget = jpdaHypothesisBudget
        self.classes = classes
    }

    /// State dimension of the tracks: the largest model's.
    public var dimension: Int { models.map(\.model.dimension).max() ?? 6 }

    /// The reasons these settings cannot run, as (field, expected, found); empty when valid.
    public var problems: [(field: String, expected: String, found: String)] {
        var out: [(String, String, String)] = []
        if models.isEmpty { out.append(("models", "at least one motion model", "none")) }
        for (i, m) in models.enumerated() {
            if !(m.processNoise >= 0 && m.processNoise.isFinite) {
                out.append(("models[\(i)].processNoise", "a finite number ≥ 0", "\(m.processNoise)"))
            }
            if !(m.turnRateNoise >= 0 && m.turnRateNoise.isFinite) {
                out.append(("models[\(i)].turnRateNoise", "a finite number ≥ 0", "\(m.turnRateNoise)"))
            }
        }
        if !(switchProbability >= 0 && switchProbability < 1) {
            out.append(("switchProbability", "a probability in [0, 1)", "\(switchProbability)"))
        }
        if !(gateProbability > 0 && gateProbability < 1) {
            out.append(("gateProbability", "a probability in (0, 1)", "\(gateProbability)"))
        }
        if !(1...32).contains(confirmWindow) { out.append(("confirmWindow", "an integer in 1...32", "\(confirmWindow)")) }
        if !(1...Swift.max(confirmWindow, 1)).contains(confirmHits) {
            out.append(("confirmHits", "an integer in 1...confirmWindow (\(confirmWindow))", "\(confirmHits)"))
        }
        if deleteAfterMisses < 1 { out.append(("deleteAfterMisses", "an integer ≥ 1", "\(deleteAfterMisses)")) }
        for (name, v) in [
            ("maxPositionSigma", maxPositionSigma), ("initialVelocitySigma", initialVelocitySigma),
            ("initialAccelerationSigma", initialAccelerationSigma), ("initialTurnRateSigma", initialTurnRateSigma),
            ("clutterDensity", clutterDensity),
        ] where !(v > 0 && v.isFinite) {
            out.append((name, "a finite number > 0", "\(v)"))
        }
        if !(detectionProbability > 0 && detectionProbability <= 1) {
            out.append(("detectionProbability", "a probability in (0, 1]", "\(detectionProbability)"))
        }
        if jpdaHypothesisBudget < 1 { out.append(("jpdaHypothesisBudget", "an integer ≥ 1", "\(jpdaHypothesisBudget)")) }
        let kinds = Set(models.map(\.model))
        if kinds.contains(.constantAcceleration) && kinds.contains(.constantTurn) {
            // Both use state element 6 (aₓ and ω): an IMM can only mix CV with one of them.
            out.append(("models", "CV with CA, or CV with CT (CA and CT both use state element 6)", "CA and CT together"))
        }
        if measurement == .raw && association == .jpda {
            out.append(("measurement", "position with jpda (raw updates need one detection per track: gnn)", "raw"))
        }
        return out
    }
}
