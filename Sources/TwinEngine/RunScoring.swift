import TwinLocalization
import TwinMath
import TwinTracking

/// Scoring against truth: the observer the simulation (and replay) calls after each frame,
/// with what the fusion centre made of the frame, the twin after it and the true positions
/// of the targets that were heard. The fusion centre itself never sees truth.
///
/// Truth is the set of targets that gave at least one Type II echo in the frame (a target no
/// link heard cannot be localised); localisations and confirmed tracks are matched to it
/// one-to-one within 1 m (`LocalizationStatistics`, `TrackingStatistics`). Its statistics go
/// into the run summary and the resume point (wall-clock timings excepted).
struct RunScoring {
    private(set) var localization = LocalizationStatistics()
    private(set) var tracking = TrackingStatistics()

    init(localization: LocalizationStatistics = LocalizationStatistics(), tracking: TrackingStatistics = TrackingStatistics()) {
        (self.localization, self.tracking) = (localization, tracking)
    }

    mutating func observe(_ outcome: FusionOutcome, twin: TwinState, heard: [Vec3]) {
        if outcome.invalidProblem {
            localization.addInvalid(truths: heard)
        } else {
            localization.add(outcome.localized, truths: heard)
        }
        localization.seconds += outcome.localizeSeconds
        tracking.add(outcome.report, state: twin, truths: heard)
        tracking.seconds += outcome.trackSeconds
    }
}
