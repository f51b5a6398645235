import TwinMath

/// An unordered pair of base stations (indices into `NetworkRanges.baseStations`), stored
/// with `first < second` whatever order it was built in.
public struct BaseStationPair: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let first: Int
    public let second: Int

    /// The pair {a, b}; `a` and `b` must differ.
    public init(_ a: Int, _ b: Int) {
        precondition(a != b, "a base-station pair needs two different stations")
        first = Swift.min(a, b)
        second = Swift.max(a, b)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.first, lhs.second) < (rhs.first, rhs.second)
    }

    public var description: String { "(\(first), \(second))" }
}

/// One frame of unlabeled range measurements of a network of M base stations sensing
/// device-free targets (docs/domain.md §2, §3, §7 item 4).
///
/// - `direct[i]` is the set of monostatic one-way ranges d heard by BS i (echo path / 2), in
///   no particular order. It may hold NLOS (Type III) spurious ranges, longer than any true
///   range of that target, and may lack a target that BS i cannot see (blocked).
/// - `sum[BaseStationPair(i, j)]` is the set of bistatic sum ranges |x − p_i| + |x − p_j| of the
///   unordered pair {i, j}, already corrected for the pair's clock offset (§3). The pair is
///   unordered: the echo i → x → j and j → x → i have the same length, so one set per pair.
///   * A pair **absent** from the dictionary was not measured (no bistatic sensing on that
///     link): it neither constrains nor contributes to any fit.
///   * A pair **present** (even with an empty set) was measured: with
///     `AssociationSettings.requireSumMatch` (the default) every candidate using both BSs must
///     find a sum range there within ε of r_i + r_j. A target that both BSs see directly has
///     both legs LOS, so its Type II sum path exists; an empty or non-matching set therefore
///     rejects the pairing. Set `requireSumMatch = false` when sum detections may be missed;
///     a pair without a match is then simply left out of the fit.
/// - `rangeVariance` σ² (m²) applies to every direct and sum range.
public struct NetworkRanges: Sendable, Equatable {
    /// Base-station positions (m, local frame).
    public var baseStations: [Vec3]
    /// `direct[i]`: monostatic one-way ranges heard by BS i (m), unlabeled.
    public var direct: [[Double]]
    /// Sum-range sets R_ij of unordered pairs (m), after clock-offset calibration.
    public var sum: [BaseStationPair: [Double]]
    /// Variance of every range, m².
    public var rangeVariance: Double

    public init(baseStations: [Vec3], direct: [[Double]], sum: [BaseStationPair: [Double]] = [:], rangeVariance: Double) {
        self.baseStations = baseStations
        self.direct = direct
        self.sum = sum
        self.rangeVariance = rangeVariance
    }

    /// The sum-range set of the pair {i, j}, nil when the pair was not measured.
    public func sumRanges(_ i: Int, _ j: Int) -> [Double]? { sum[BaseStationPair(i, j)] }
}

/// Tolerances of `JointAssociation.solve`.
public struct AssociationSettings: Sendable, Equatable {
    /// Pair-consistency tolerance ε (m): a sum range s of pair {i, j} matches direct ranges
    /// r_i, r_j when |s − (r_i + r_j)| ≤ ε. The default 0.5 m is about 6σ of the difference
    /// (std √3·σ) for σ = 5 cm; scale it with the range noise.
    public var epsilon: Double
    /// Residual threshold γ on Σ w·r² of a candidate fit. When nil (default), the 99.9 %
    /// χ² quantile with max(1, n_obs − 3) degrees of freedom (Wilson–Hilferty approximation),
    /// so that a correct association under Gaussian noise of variance `rangeVariance` is
    /// rejected once in a thousand.
    public var gamma: Double?
    /// Smallest subset of BSs that may localise a target (≥ 3).
    public var minimumAnchors: Int
    /// Whether a measured pair (present in `NetworkRanges.sum`) must contain a matching sum
    /// range for a candidate using both of its BSs (see `NetworkRanges`).
    public var requireSumMatch: Bool
    /// Passed to `GaussNewton.solve` (mirror choice when the BSs are nearly coplanar).
    public var preferredZ: Double?
    /// A competing fit whose position lies more than this (m) from every selected target can
    /// make a selected target it shares a range with ambiguous.
    public var ambiguityDistance: Double
    /// A competing fit counts when its residual is at most max(ambiguityFactor · own, γ).
    public var ambiguityFactor: Double
    /// The one-range-per-target constraint (default true): a direct range explains at most one
    /// target, so selected mappings must be range-disjoint and their ranges are consumed before
    /// the next subset size (docs/domain.md §7 item 4).
    ///
    /// False gives the *baseline without that constraint* (for comparison studies, see
    /// `AssociationStudy`): no range is ever consumed, every subset of every size n is searched
    /// over all direct ranges, and every surviving candidate (residual ≤ γ) is reported as a
    /// target, except that a survivor whose position lies within `ambiguityDistance` (≤) of a
    /// target already reported is dropped as a duplicate. Survivors are visited larger n first
    /// and, within one n, by ascending residual (ties: generation order), so of a cluster of
    /// near-identical fits (e.g. one target found by a 5-subset and by its five 4-subsets) the
    /// fit with the most anchors, then the lowest residual, is kept. Ghosts (wrong associations
    /// that pass γ and land elsewhere) are all reported. Ambiguity flags follow the same rule as
    /// with the constraint, against all reported targets.
    public var exclusiveRanges: Bool
    /// Largest subset of BSs searched (nil: all M). The number of subsets grows as C(M, n);
    /// large networks should cap it (a target is rarely seen by more than a handful of BSs).
    public var maximumSubsetSize: Int?
    /// Limit on partial mappings visited by the depth-first search over the whole frame. When
    /// it is reached the search stops, the targets found so far are returned and the result is
    /// marked `truncated`. Without sum ranges nothing but the triangle inequality prunes, and
    /// the search is exponential in n: the budget keeps a frame's time bounded.
    public var searchBudget: Int

    public init(
        epsilon: Double = 0.5, gamma: Double? = nil, minimumAnchors: Int = 3, requireSumMatch: Bool = true,
        preferredZ: Double? = nil, ambiguityDistance: Double = 1.0, ambiguityFactor: Double = 2.0,
        exclusiveRanges: Bool = true, maximumSubsetSize: Int? = nil, searchBudget: Int = 1_000_000
    ) {
        self.maximumSubsetSize = maximumSubsetSize
        self.searchBudget = searchBudget
        self.epsilon = epsilon
        self.gamma = gamma
        self.minimumAnchors = minimumAnchors
        self.requireSumMatch = requireSumMatch
        self.preferredZ = preferredZ
        self.ambiguityDistance = ambiguityDistance
        self.ambiguityFactor = ambiguityFactor
        self.exclusiveRanges = exclusiveRanges
    }

    /// γ for a fit of `observationCount` observations.
    public func residualThreshold(observationCount: Int) -> Double {
        if let gamma { return gamma }
        return chiSquareQuantile(probability: 0.999, degreesOfFreedom: Swift.max(1, observationCount - 3))
    }
}

/// One localised target and the ranges it was built from.
public struct AssociatedTarget: Sendable, Equatable {
    /// Gauss–Newton fit on the mapped direct ranges and the matched sum ranges.
    public var estimate: PositionEstimate
    /// For each BS, the index into `direct[i]` used, nil when BS i is not in the subset.
    public var mapping: [Int?]
    /// For each pair of the subset whose sum range was used, the index into its sum set.
    public var sumMapping: [BaseStationPair: Int]
    /// True when another association using some of the same ranges fits comparably well yet
    /// puts the target elsewhere (a possible ghost): the data do not decide.
    public var ambiguous: Bool

    public init(estimate: PositionEstimate, mapping: [Int?], sumMapping: [BaseStationPair: Int], ambiguous: Bool) {
        self.estimate = estimate
        self.mapping = mapping
        self.sumMapping = sumMapping
        self.ambiguous = ambiguous
    }

    /// Number of BSs whose direct range the target uses.
    public var anchorCount: Int { mapping.count(where: { $0 != nil }) }
}

/// The outcome of `JointAssociation.solve`.
public struct AssociationResult: Sendable, Equatable {
    /// Selected targets, in the order selected (larger subsets first, then ascending residual).
    /// `targets.count` is the estimated number of targets.
    public var targets: [AssociatedTarget]
    /// True when any target is ambiguous.
    public var ambiguous: Bool
    /// Number of complete candidate mappings fitted by Gauss–Newton (after pruning).
    public var candidatesTried: Int
    /// True when `AssociationSettings.searchBudget` ran out: targets may be missing.
    public var truncated: Bool

    public init(targets: [AssociatedTarget], ambiguous: Bool, candidatesTried: Int, truncated: Bool = false) {
        self.targets = targets
        self.ambiguous = ambiguous
        self.candidatesTried = candidatesTried
        self.truncated = truncated
    }
}

/// Joint LOS identification and data association for networked device-free sensing
/// (docs/domain.md §7 item 4).
///
/// For n = M, M − 1, …, `minimumAnchors`:
/// 1. For every subset of n BSs (lexicographic order), enumerate candidate mappings, one still
///    unused direct range per BS, depth first. As each BS is added, every pair (i, j) of the
///    partial mapping is checked: the two ranges must satisfy the triangle inequality with the
///    baseline D_ij (|r_i − r_j| ≤ D_ij + ε and r_i + r_j ≥ D_ij − ε, true of any one target
///    seen by both), and when the pair was measured, its sum set must hold a range within ε of
///    r_i + r_j (the closest such one is kept); otherwise the branch is pruned.
///    This removes nearly all wrong combinations (and NLOS ranges, whose sums do not close)
///    before any fit.
/// 2. Each complete candidate is fitted by `GaussNewton.solve` on its n direct ranges and its
///    matched sum ranges (up to n(n−1)/2); it survives when the fit succeeds and its residual
///    is ≤ γ.
/// 3. Survivors are selected greedily by ascending residual (ties: generation order), each
///    kept only if it shares no direct range with those already kept: a maximal (not
///    necessarily maximum) set of range-disjoint mappings. Their direct ranges are marked used
///    and the next n works on the rest. Sum ranges are not consumed: two targets may share an
///    unresolved sum echo.
///
/// Ambiguity: a selected mapping is flagged when another candidate fitted at the same n shares
/// at least one direct range with it, has residual ≤ max(ambiguityFactor · own, γ), and puts
/// the target more than `ambiguityDistance` away from every selected target (of this and the
/// larger subsets): it would explain the data with a *ghost*. A competitor landing on another
/// selected target is not counted (two targets at the same range from one BS make their range
/// indices interchangeable without any ambiguity in position). The selection is still made
/// (lowest residual first) but reported, never silently trusted. Competitors are only sought
/// among the candidates of the same subset size n.
///
/// With `AssociationSettings.exclusiveRanges` false (the baseline without the one-range-per-
/// target constraint), step 3 is replaced: nothing is consumed, and every survivor is reported
/// unless it lies within `ambiguityDistance` of a target already reported (see that setting).
///
/// Candidates that throw in `GaussNewton.solve` (degenerate geometry) are dropped. The result
/// is deterministic for given inputs.
public enum JointAssociation {
    public static func solve(_ ranges: NetworkRanges, settings: AssociationSettings = .init()) -> AssociationResult {
        let m = ranges.baseStations.count
        guard ranges.direct.count == m else {
            preconditionFailure("direct has \(ranges.direct.count) sets for \(m) base stations")
        }
        var used = ranges.direct.map { Array(repeating: false, count: $0.count) }
        var targets: [AssociatedTarget] = []
        var tried = 0
        var budget = settings.searchBudget
        let lowest = Swift.max(3, settings.minimumAnchors)
        let highest = Swift.min(m, settings.maximumSubsetSize ?? m)
        guard highest >= lowest else { return AssociationResult(targets: [], ambiguous: false, candidatesTried: 0) }

        for n in stride(from: highest, through: lowest, by: -1) where budget > 0 {
            var fits: [Fit] = []
            for subset in combinations(m, n) where budget > 0 {
                // Only reachable with exclusive ranges: otherwise nothing is ever used.
                if subset.contains(where: { i in !used[i].contains(false) }) { continue }
                var search = Search(ranges: ranges, settings: settings, subset: subset, used: used, budget: budget)
                search.run()
                tried += search.tried
                budget = search.budget
                fits += search.fits
            }
            // Greedy selection of range-disjoint survivors.
            let order = fits.indices.filter { fits[$0].survived }.sorted {
                (fits[$0].estimate.residual, $0) < (fits[$1].estimate.residual, $1)
            }
            var taken = used
            var selected: [Int] = []
            if settings.exclusiveRanges {
                for k in order {
                    let fit = fits[k]
                    if fit.ranges.contains(where: { taken[$0.bs][$0.index] }) { continue }
                    for r in fit.ranges { taken[r.bs][r.index] = true }
                    selected.append(k)
                }
            } else {
                // Baseline: every survivor is a target unless it duplicates one already reported.
                var reported = targets.map(\.estimate.position)
                for k in order {
                    let position = fits[k].estimate.position
                    if reported.contains(where: { (position - $0).norm <= settings.ambiguityDistance }) { continue }
                    reported.append(position)
                    selected.append(k)
                }
            }
            let explained = targets.map(\.estimate.position) + selected.map { fits[$0].estimate.position }
            for k in selected {
                let fit = fits[k]
                let own = Set(fit.ranges)
                let limitOwn = settings.ambiguityFactor * fit.estimate.residual
                let ambiguous = fits.indices.contains { c in
                    guard c != k else { return false }
                    let other = fits[c]
                    guard other.ranges.contains(where: { own.contains($0) }) else {
                        return false
                    }
                    guard other.estimate.residual <= Swift.max(limitOwn, other.gamma) else { return false }
                    // A competitor that lands on an already selected target (e.g. two targets at the
                    // same range from one BS, whose range indices are interchangeable) is no ghost.
                    return explained.allSatisfy {
                        (other.estimate.position - $0).norm > settings.ambiguityDistance
                    }
                }
                var mapping = [Int?](repeating: nil, count: m)
                for r in fit.ranges { mapping[r.bs] = r.index }
                targets.append(
                    AssociatedTarget(
                        estimate: fit.estimate, mapping: mapping, sumMapping: fit.sums, ambiguous: ambiguous))
            }
            if settings.exclusiveRanges { used = taken }
        }
        return AssociationResult(
            targets: targets, ambiguous: targets.contains { $0.ambiguous }, candidatesTried: tried, truncated: budget <= 0)
    }

    /// All n-element subsets of 0..<m in lexicographic order.
    static func combinations(_ m: Int, _ n: Int) -> [[Int]] {
        var result: [[Int]] = []
        var current: [Int] = []
        func extend(from start: Int) {
            if current.count == n {
                result.append(current)
                return
            }
            let needed = n - current.count
            guard start <= m - needed else { return }
            for i in start...(m - needed) {
                current.append(i)
                extend(from: i + 1)
                current.removeLast()
            }
        }
        extend(from: 0)
        return result
    }

    /// A direct range: BS `bs`, index `index` into `direct[bs]`.
    struct RangeRef: Hashable {
        var bs: Int
        var index: Int
    }

    /// A fitted complete candidate.
    struct Fit {
        var ranges: [RangeRef]
        var sums: [BaseStationPair: Int]
        var estimate: PositionEstimate
        var gamma: Double
        var survived: Bool
    }

    /// Depth-first enumeration of the candidate mappings of one subset.
    struct Search {
        let ranges: NetworkRanges
        let settings: AssociationSettings
        let subset: [Int]
        let used: [[Bool]]
        var chosen: [Int] = []
        var matchedSums: [(pair: BaseStationPair, index: Int, value: Double)] = []
        var fits: [Fit] = []
        var tried = 0
        var budget: Int

        init(ranges: NetworkRanges, settings: AssociationSettings, subset: [Int], used: [[Bool]], budget: Int) {
            self.ranges = ranges
            self.settings = settings
            self.subset = subset
            self.used = used
            self.budget = budget
        }

        mutating func run() { extend(depth: 0) }

        private mutating func extend(depth: Int) {
            if depth == subset.count {
                fit()
                return
            }
            let bs = subset[depth]
            let values = ranges.direct[bs]
            for index in values.indices where !used[bs][index] {
                guard budget > 0 else { return }
                budget -= 1
                let r = values[index]
                let mark = matchedSums.count
                var consistent = true
                for level in 0..<depth {
                    let other = subset[level]
                    let rOther = ranges.direct[other][chosen[level]]
                    let baseline = ranges.baseStations[other].distance(to: ranges.baseStations[bs])
                    if abs(r - rOther) > baseline + settings.epsilon || r + rOther < baseline - settings.epsilon {
                        consistent = false
                        break
                    }
                    guard let set = ranges.sumRanges(other, bs) else { continue }
                    let expected = r + rOther
                    var best: (index: Int, error: Double)? = nil
                    for (k, s) in set.enumerated() {
                        let error = abs(s - expected)
                        if error <= settings.epsilon, error < (best?.error ?? .infinity) { best = (k, error) }
                    }
                    if let best {
                        matchedSums.append((BaseStationPair(other, bs), best.index, set[best.index]))
                    } else if settings.requireSumMatch {
                        consistent = false
                        break
                    }
                }
                if consistent {
                    chosen.append(index)
                    extend(depth: depth + 1)
                    chosen.removeLast()
                }
                matchedSums.removeSubrange(mark...)
            }
        }

        private mutating func fit() {
            tried += 1
            let variance = ranges.rangeVariance
            var observations: [RangeObservation] = []
            observations.reserveCapacity(subset.count + matchedSums.count)
            for (level, bs) in subset.enumerated() {
                observations.append(
                    .monostatic(anchor: ranges.baseStations[bs], range: ranges.direct[bs][chosen[level]], variance: variance))
            }
            for sum in matchedSums {
                observations.append(
                    .bistatic(
                        transmitter: ranges.baseStations[sum.pair.first], receiver: ranges.baseStations[sum.pair.second],
                        sumRange: sum.value, variance: variance))
            }
            guard let estimate = try? GaussNewton.solve(observations, preferredZ: settings.preferredZ),
                estimate.position.isFinite, estimate.residual.isFinite
            else { return }
            let gamma = settings.residualThreshold(observationCount: observations.count)
            var sums: [BaseStationPair: Int] = [:]
            for sum in matchedSums { sums[sum.pair] = sum.index }
            fits.append(
                Fit(
                    ranges: zip(subset, chosen).map { RangeRef(bs: $0, index: $1) }, sums: sums, estimate: estimate,
                    gamma: gamma, survived: estimate.residual <= gamma))
        }
    }
}
