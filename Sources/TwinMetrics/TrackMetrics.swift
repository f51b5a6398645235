import TwinMath

/// SIAP track metrics and identity changes over a track history (docs/domain.md §10; the Single
/// Integrated Air Picture attributes of the SIAP System Engineering Task Force, pooled over
/// frames as e.g. Stone Soup's `SIAPMetrics` does).
///
/// **Assignment** (the choice made here), per frame: first the one-to-one optimal assignment
/// of targets and tracks within δ (`Matching`); each target's track there is its *primary*
/// track. Then every other track within δ of a target is attached to the nearest such target
/// as a *redundant* track. A target is *tracked* in a frame when it has a primary track; a
/// track is *assigned* when it is primary or redundant.
///
/// Pooled over frames:
/// - completeness = Σ tracked targets / Σ targets;
/// - ambiguity = Σ assigned tracks / Σ tracked targets (1 when no target has a redundant track);
/// - spuriousness = Σ unassigned tracks / Σ tracks;
/// - ID switches: per target, the times its primary track id differs from the id it had when
///   last tracked (frames in which it is not tracked in between do not count);
/// - track-number change rate = ID switches / Σ over targets of the time they are tracked
///   (frames tracked × frame duration): changes per target per second.
public struct TrackMetrics: Sendable, Equatable {
    public var threshold: Double
    public var frameDuration: Double
    /// Σ over frames of the targets, the tracked targets, the tracks and the assigned tracks.
    public var targetFrames = 0
    public var trackedTargetFrames = 0
    public var trackFrames = 0
    public var assignedTrackFrames = 0
    public var idSwitches = 0

    public init(frames: [MetricsFrame], threshold δ: Double = 1, frameDuration: Double) {
        threshold = δ
        self.frameDuration = frameDuration
        var lastId: [Int: Int] = [:]
        for frame in frames {
            let truths = frame.targets.map(\.position), tracks = frame.estimates.map(\.position)
            let matches = Matching.match(targets: truths, estimates: tracks, threshold: δ)
            var primary = Set<Int>()
            for m in matches {
                primary.insert(m.estimate)
                let target = frame.targets[m.target].id, id = frame.estimates[m.estimate].id
                if let last = lastId[target], last != id { idSwitches += 1 }
                lastId[target] = id
            }
            var redundant = 0
            for (j, track) in tracks.enumerated() where !primary.contains(j) {
                if truths.contains(where: { ($0 - track).norm <= δ }) { redundant += 1 }
            }
            targetFrames += truths.count
            trackedTargetFrames += matches.count
            trackFrames += tracks.count
            assignedTrackFrames += matches.count + redundant
        }
    }

    /// Σ tracked targets / Σ targets; NaN without targets.
    public var completeness: Double { targetFrames > 0 ? Double(trackedTargetFrames) / Double(targetFrames) : .nan }
    /// Σ assigned tracks / Σ tracked targets; NaN when no target is ever tracked.
    public var ambiguity: Double {
        trackedTargetFrames > 0 ? Double(assignedTrackFrames) / Double(trackedTargetFrames) : .nan
    }
    /// Σ unassigned tracks / Σ tracks; NaN without tracks.
    public var spuriousness: Double {
        trackFrames > 0 ? Double(trackFrames - assignedTrackFrames) / Double(trackFrames) : .nan
    }
    /// Target-seconds tracked: Σ tracked targets × frame duration.
    public var trackedSeconds: Double { Double(trackedTargetFrames) * frameDuration }
    /// ID switches per target per second tracked; NaN when nothing is tracked.
    public var trackNumberChangeRate: Double { trackedSeconds > 0 ? Double(idSwitches) / trackedSeconds : .nan }
}
