import TwinMath

/// A point with an identity: a target (mover id) or an estimate (track id, or the index of a
/// localisation in its frame).
public struct LabeledPoint: Sendable, Equatable {
    public var id: Int
    public var position: Vec3

    public init(id: Int, position: Vec3) {
        self.id = id
        self.position = position
    }
}

/// One frame to score: the targets that exist in it and the estimates reported for it.
public struct MetricsFrame: Sendable, Equatable {
    public var time: Double
    public var targets: [LabeledPoint]
    public var estimates: [LabeledPoint]

    public init(time: Double, targets: [LabeledPoint], estimates: [LabeledPoint]) {
        self.time = time
        self.targets = targets
        self.estimates = estimates
    }
}

/// One matched (target, estimate) pair and its 3-D error ‖x − x̂‖ (m).
public struct Match: Sendable, Equatable {
    public var target: Int
    public var estimate: Int
    public var error: Double
}

/// One-to-one matching of targets and estimates within a threshold δ (docs/domain.md §10,
/// "Detection"): the optimal assignment (`Assignment.solve`, Jonker–Volgenant/Crouse) on the
/// cost C[i, j] = ‖xᵢ − x̂ⱼ‖ when ‖xᵢ − x̂ⱼ‖ ≤ δ and +∞ (forbidden) otherwise. The assignment
/// first maximises the number of pairs, then minimises their summed distance; the pairs are
/// the correctly localised targets.
///
/// This is the definition `AssociationStudy.Detection.evaluate` (TwinLocalization) uses to
/// score runs, restated here so that metrics need no localisation code; the end-to-end tests
/// check that both give the same counts on a recording.
public enum Matching {
    /// The matched pairs in target order (indices into `targets` and `estimates`).
    public static func match(targets: [Vec3], estimates: [Vec3], threshold δ: Double) -> [Match] {
        guard !targets.isEmpty, !estimates.isEmpty else { return [] }
        var costs = Matrix(rows: targets.count, columns: estimates.count)
        for (i, x) in targets.enumerated() {
            for (j, e) in estimates.enumerated() {
                let d = (x - e).norm
                costs[i, j] = d <= δ ? d : .infinity
            }
        }
        return Assignment.solve(costs: costs).pairs.map {
            Match(target: $0.row, estimate: $0.column, error: (targets[$0.row] - estimates[$0.column]).norm)
        }
    }
}

/// Detection counts over frames (docs/domain.md §10):
/// P_MD = 1 − Σ correct / Σ true, P_FA = 1 − Σ correct / Σ reported, RMSE = √(Σ‖e‖² / Σ correct)
/// over the correct (matched) pairs.
public struct DetectionCounts: Sendable, Equatable {
    /// Σ true targets.
    public var truths = 0
    /// Σ reported estimates.
    public var reported = 0
    /// Σ matched pairs.
    public var correct = 0
    /// Σ ‖x − x̂‖² (m²) over the matched pairs.
    public var squaredErrorSum = 0.0

    public init(truths: Int = 0, reported: Int = 0, correct: Int = 0, squaredErrorSum: Double = 0) {
        self.truths = truths
        self.reported = reported
        self.correct = correct
        self.squaredErrorSum = squaredErrorSum
    }

    /// Adds one frame (its squared errors summed first, then added: the order the run's own
    /// scoring uses).
    public mutating func add(targets: [Vec3], estimates: [Vec3], matches: [Match]) {
        truths += targets.count
        reported += estimates.count
        correct += matches.count
        var frame = 0.0
        for m in matches { frame += (targets[m.target] - estimates[m.estimate]).normSquared }
        squaredErrorSum += frame
    }

    /// 1 − Σ correct / Σ true; 0 without true targets.
    public var missedDetectionProbability: Double { truths > 0 ? 1 - Double(correct) / Double(truths) : 0 }
    /// 1 − Σ correct / Σ reported; 0 when nothing was reported.
    public var falseAlarmProbability: Double { reported > 0 ? 1 - Double(correct) / Double(reported) : 0 }
    /// √(Σ‖e‖² / Σ correct) (m); NaN without a correct pair.
    public var rootMeanSquareError: Double { correct > 0 ? (squaredErrorSum / Double(correct)).squareRoot() : .nan }
}
