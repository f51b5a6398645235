import TwinMath

/// What the fusion centre did over a run, for the run summary (docs/domain.md §10).
///
/// Truth is the set of targets that gave at least one Type II echo in the frame (a target no
/// link heard cannot be localised by any localiser); estimates are matched to it one-to-one
/// within `AssociationStudy.detectionRadius` (1 m) as in `AssociationStudy.Detection`.
public struct LocalizationStatistics: Sendable, Equatable, Codable {
    public private(set) var frames = 0
    public private(set) var detection = AssociationStudy.Detection()
    /// Candidate groups the localiser could not or would not report.
    public private(set) var rejected = 0
    /// Reported localisations per flag.
    public private(set) var flagged: [Localization.Flag: Int] = [:]
    /// Frames whose problem failed validation (`ProblemError`); nothing was localised in them.
    public private(set) var invalidFrames = 0
    /// Wall time spent localising, s.
    public var seconds = 0.0

    public init() {}

    public mutating func add(_ result: LocalizationResult, truths: [Vec3]) {
        frames += 1
        detection += AssociationStudy.Detection.evaluate(truths: truths, estimates: result.localizations.map(\.position))
        rejected += result.rejected
        for l in result.localizations {
            for flag in l.flags { flagged[flag, default: 0] += 1 }
        }
    }

    /// A frame whose problem was invalid: its truths count as missed.
    public mutating func addInvalid(truths: [Vec3]) {
        frames += 1
        invalidFrames += 1
        detection += AssociationStudy.Detection(truths: truths.count)
    }

    public var secondsPerFrame: Double { frames > 0 ? seconds / Double(frames) : 0 }
}
