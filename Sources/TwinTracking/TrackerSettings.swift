import TwinConfiguration
import TwinMath

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

/// The tracking stage's settings: the world file's `tracker` section, key by key (the table
/// below is the one declaration of each key: the world-file reader decodes through it and
/// worlds/README.md's reference is generated from it). `name` picks a registered tracker
/// (`Trackers`), which composes its roles from the rest.
public struct TrackerSettings: Sendable, Equatable, Codable {
    /// A tracker registered in `Trackers` (`gnn-cv`, `jpda-imm`, …).
    public var name: String
    public var measurement: MeasurementLevel
    /// White-noise acceleration PSD q of CV and CT, m²/s³ (jerk PSD for CA, m²/s⁵).
    public var processNoise: Double
    /// CT turn-rate noise PSD, rad²/s³.
    public var turnRateNoise: Double
    /// IMM: probability of switching model between frames (spread evenly over the others).
    public var switchProbability: Double
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
    /// Classes for the RCS class estimate (empty: no class estimate; not a world-file key).
    public var classes: [TargetClass]

    public init(
        name: String = "gnn-cv", measurement: MeasurementLevel = .position, processNoise: Double = 10, turnRateNoise: Double = 0.01,
        switchProbability: Double = 0.05, gateProbability: Double = 0.99, confirmHits: Int = 3, confirmWindow: Int = 5,
        deleteAfterMisses: Int = 5, maxPositionSigma: Double = 20, initialVelocitySigma: Double = 10,
        initialAccelerationSigma: Double = 3, initialTurnRateSigma: Double = 0.5, detectionProbability: Double = 0.9,
        clutterDensity: Double = 1e-6, jpdaHypothesisBudget: Int = 10_000, classes: [TargetClass] = []
    ) {
        (self.name, self.measurement, self.processNoise, self.turnRateNoise) = (name, measurement, processNoise, turnRateNoise)
        (self.switchProbability, self.gateProbability, self.confirmHits, self.confirmWindow) =
            (switchProbability, gateProbability, confirmHits, confirmWindow)
        (self.deleteAfterMisses, self.maxPositionSigma, self.initialVelocitySigma) =
            (deleteAfterMisses, maxPositionSigma, initialVelocitySigma)
        (self.initialAccelerationSigma, self.initialTurnRateSigma, self.detectionProbability) =
            (initialAccelerationSigma, initialTurnRateSigma, detectionProbability)
        (self.clutterDensity, self.jpdaHypothesisBudget, self.classes) = (clutterDensity, jpdaHypothesisBudget, classes)
    }

    /// The reasons these settings cannot run, as (field, expected, found); empty when valid.
    /// The key table's rules, and the named tracker's own (`Trackers`).
    public var problems: [(field: String, expected: String, found: String)] {
        var out = Self.table.problems(of: self).map { (field: $0.key, expected: $0.expected, found: $0.found) }
        if Trackers.registry.factory(name) == nil { out.append(("name", Trackers.registry.expectation, "'\(name)'")) }
        return out
    }

    public var description: String { name }
}

/// Invalid tracker settings, one line per problem.
public struct TrackerSettingsError: Error, CustomStringConvertible, Sendable {
    public var problems: [(field: String, expected: String, found: String)]

    public init(problems: [(field: String, expected: String, found: String)]) { self.problems = problems }

    public var description: String {
        problems.map { "tracker.\($0.field): expected \($0.expected), found \($0.found)" }.joined(separator: "\n")
    }
}

// MARK: - The key table

extension TrackerSettings: SettingsSection {
    public static let defaults = TrackerSettings()

    public static let table = SettingsTable<TrackerSettings>(
        [
            .component(
                "name", \.name, registry: "tracker",
                doc:
                    "the tracker that keeps the twin, composed of a predictor, an updater, an associator, an initiator and a deleter (docs/architecture.md); `--tracker` on `run` and `replay` overrides it."
            ),
            .choice(
                "measurement", \.measurement,
                doc:
                    "`position`: update with the fusion centre's position and covariance (linear Kalman). `raw`: extended Kalman update with the ranges, sum ranges and angles behind each localisation, one scalar at a time (echoes at UE anchors or with an unknown clock offset are left out; a detection with none falls back to its position); needs a tracker whose associator gives one detection per track (`gnn-…`). A localisation with an invalid raw value (NaN, non-positive variance) is refused as a whole"
            ),
            .number(
                "processNoise", \.processNoise, unit: "m²/s³", what: "a process-noise density q in m²/s³", rule: .nonNegative,
                doc:
                    "power spectral density q of the white-noise acceleration (CV, CT): Q = q·[[T³/3, T²/2], [T²/2, T]] per axis; the acceleration spread over a frame is about √(q/T) (10 m/s² at q = 10, T = 0.1 s). The default suits the simulator's movers, which change velocity within a frame (a walker stops from 1.5 m/s, an AGV turns at an aisle corner): with q = 1 such a manoeuvre leaves the gate and the track is lost and born again (26 confirmed tracks lost per minute of factory.yaml, against 3 at q = 10). For `ca`, the jerk density in m²/s⁵"
            ),
            .number(
                "turnRateNoise", \.turnRateNoise, unit: "rad²/s³", what: "a turn-rate noise density in rad²/s³", rule: .nonNegative,
                doc: "CT: density of the turn-rate random walk (adds turnRateNoise·T to the turn rate's variance per frame)"),
            .number(
                "switchProbability", \.switchProbability, what: "a probability in [0, 1)",
                rule: NumberRule("0 ≤ p < 1") { $0 >= 0 && $0 < 1 }, doc: "IMM: probability of changing model between frames"),
            .number(
                "gateProbability", \.gateProbability, what: "a probability strictly between 0 and 1", rule: .openProbability,
                doc: "χ² gate with 3 dof (0.99 → d² ≤ 11.34)"),
            .integer(
                "confirmWindow", \.confirmWindow, unit: "frames", what: "a whole number of frames from 1 to 32", range: 1...32,
                doc:
                    "a tentative track is confirmed with `confirmHits` detections in its first `confirmWindow` frames, else deleted"),
            .integer(
                "confirmHits", \.confirmHits, unit: "frames",
                what: { "a whole number of hits from 1 to confirmWindow (\($0.confirmWindow))" },
                range: { 1...Swift.max($0.confirmWindow, 1) },
                allowed: "1 … confirmWindow",
                doc: "see `confirmWindow`; defaults to the smaller of 3 and the window; 1 confirms at birth"),
            .integer(
                "deleteAfterMisses", \.deleteAfterMisses, unit: "frames", what: "a whole number of frames from 1 to 100000",
                range: 1...100_000, doc: "a confirmed track missed this many frames in a row is deleted (while missed it is `coasting`)"),
            .number(
                "maxPositionSigma", \.maxPositionSigma, unit: "m", what: "a standard deviation in metres", rule: .positive,
                doc: "… or when its position standard deviation (largest axis) grows beyond this"),
            .number(
                "initialVelocitySigma", \.initialVelocitySigma, unit: "m/s", what: "a speed in m/s", rule: .positive,
                doc: "prior spread of a new track's velocity (a track starts at its detection with zero velocity)"),
            .number(
                "initialAccelerationSigma", \.initialAccelerationSigma, unit: "m/s²", what: "an acceleration in m/s²",
                rule: .positive, doc: "`ca`: prior spread of the acceleration"),
            .number(
                "initialTurnRateSigma", \.initialTurnRateSigma, unit: "rad/s", what: "a turn rate in rad/s", rule: .positive,
                doc: "`ct`, `imm`: prior spread of the turn rate"),
            .number(
                "detectionProbability", \.detectionProbability, what: "a probability in (0, 1]",
                rule: NumberRule("0 < p ≤ 1") { $0 > 0 && $0 <= 1 },
                doc: "JPDA: probability that a target gives a localisation in a frame"),
            .number(
                "clutterDensity", \.clutterDensity, unit: "1/m³", what: "a false-detection density per m³", rule: .positive,
                doc: "JPDA: density of false localisations"),
            .integer(
                "jpdaHypothesisBudget", \.jpdaHypothesisBudget, unit: "events", what: "a whole number of joint events from 1 to 10000000",
                range: 1...10_000_000, doc: "JPDA: joint events enumerated per cluster before the cheap approximation"),
        ],
        check: { s in
            // The named tracker's own rules (raw updates with JPDA, …); an unknown name is the
            // component catalogue's to report.
            guard let make = Trackers.registry.factory(s.name) else { return [] }
            do {
                _ = try make(s, TwinState())
                return []
            } catch let error as TrackerSettingsError {
                return error.problems.map { (key: $0.field, expected: $0.expected, found: $0.found) }
            } catch {
                return [(key: "name", expected: "a tracker '\(s.name)' can build", found: "\(error)")]
            }
        },
        complete: { s, given in
            if !given.contains("confirmHits") { s.confirmHits = Swift.min(defaults.confirmHits, s.confirmWindow) }
        })
}
