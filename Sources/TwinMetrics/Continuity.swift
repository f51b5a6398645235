/// Sensing continuity of one target (docs/domain.md §10): over the frames in which the target
/// exists, the fraction in which an estimate lies within δ of it (matched one-to-one,
/// `Matching`), and the longest gap: the longest run of consecutive such frames without one.
/// Frames in which the target does not exist are skipped: they neither count nor end a gap.
public struct TargetContinuity: Sendable, Equatable {
    public var id: Int
    /// Frames in which the target exists.
    public var frames = 0
    /// Of those, frames with an estimate within δ.
    public var covered = 0
    /// Longest run of consecutive existing frames without an estimate within δ.
    public var longestGap = 0
    /// The current run of misses (while accumulating).
    var currentGap = 0

    public init(id: Int) { self.id = id }

    /// Adds one frame in which the target exists.
    public mutating func add(covered isCovered: Bool) {
        frames += 1
        if isCovered {
            covered += 1
            currentGap = 0
        } else {
            currentGap += 1
            longestGap = max(longestGap, currentGap)
        }
    }

    /// covered / frames; NaN when the target never exists.
    public var fraction: Double { frames > 0 ? Double(covered) / Double(frames) : .nan }
}

/// Continuity of every target and pooled: overall = Σ covered / Σ frames over the targets.
public struct Continuity: Sendable, Equatable {
    /// Per target, by ascending id.
    public var targets: [TargetContinuity]

    public init(targets: [TargetContinuity]) { self.targets = targets.sorted { $0.id < $1.id } }

    public var frames: Int { targets.reduce(0) { $0 + $1.frames } }
    public var covered: Int { targets.reduce(0) { $0 + $1.covered } }
    /// Σ covered / Σ frames; NaN without target frames.
    public var overall: Double { frames > 0 ? Double(covered) / Double(frames) : .nan }
    /// The longest gap of any target.
    public var longestGap: Int { targets.map(\.longestGap).max() ?? 0 }
}

extension Continuity {
    /// Per frame, the frame's targets (ids, in frame order) and whether each has a matched
    /// estimate: the same one-to-one matching within δ that `EstimateMetrics` scores continuity
    /// with, so the covered flags of a target sum to its `TargetContinuity.covered`.
    public static func coverage(frames: [MetricsFrame], threshold δ: Double) -> [[(id: Int, covered: Bool)]] {
        frames.map { frame in
            let matches = Matching.match(
                targets: frame.targets.map(\.position), estimates: frame.estimates.map(\.position), threshold: δ)
            var covered = [Bool](repeating: false, count: frame.targets.count)
            for m in matches { covered[m.target] = true }
            return frame.targets.enumerated().map { (id: $0.element.id, covered: covered[$0.offset]) }
        }
    }
}
