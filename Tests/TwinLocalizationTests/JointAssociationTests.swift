import Testing
import TwinLocalization
import TwinMath

/// Joint LOS identification and data association (docs/domain.md §7 item 4).
private enum AssociationScene {
    /// Five BSs over a 100 m square at mixed heights (8–12 m).
    static let stations: [Vec3] = [
        Vec3(0, 0, 10), Vec3(100, 0, 12), Vec3(100, 100, 8), Vec3(0, 100, 11), Vec3(50, 50, 9),
    ]
    static let targetHeight = 1.5
    /// Targets 0 and 1 are at exactly the same range (36.827 m) from BS 4, so their BS 4 ranges
    /// are interchangeable: that must not be reported as an ambiguity.
    static let threeTargets: [Vec3] = [Vec3(20, 30, 1.5), Vec3(70, 20, 1.5), Vec3(55, 80, 1.5)]

    /// Builds the unlabeled measurement sets of `targets` seen by `stations`.
    /// - blocked: (target, bs) pairs where the BS does not see the target (no direct range and
    ///   no sum range on any pair involving that BS).
    /// - spuriousDirect / spuriousSum: extra NLOS ranges appended before shuffling.
    static func ranges(
        targets: [Vec3], stations: [Vec3] = stations, sigma: Double = 0, variance: Double = 0.05 * 0.05,
        blocked: Set<[Int]> = [], spuriousDirect: [Int: [Double]] = [:],
        spuriousSum: [BaseStationPair: [Double]] = [:], withSums: Bool = true, rng: inout SeededRandom
    ) -> NetworkRanges {
        let m = stations.count
        func visible(_ t: Int, _ i: Int) -> Bool { !blocked.contains([t, i]) }
        func noise() -> Double { sigma > 0 ? rng.gaussian(mean: 0, standardDeviation: sigma) : 0 }
        var direct: [[Double]] = Array(repeating: [], count: m)
        for i in 0..<m {
            for (t, x) in targets.enumerated() where visible(t, i) {
                direct[i].append((x - stations[i]).norm + noise())
            }
            direct[i] += spuriousDirect[i] ?? []
            direct[i].shuffle(using: &rng)
        }
        var sum: [BaseStationPair: [Double]] = [:]
        if withSums {
            for i in 0..<m {
                for j in (i + 1)..<m {
                    let pair = BaseStationPair(i, j)
                    var set: [Double] = []
                    for (t, x) in targets.enumerated() where visible(t, i) && visible(t, j) {
                        set.append((x - stations[i]).norm + (x - stations[j]).norm + noise())
                    }
                    set += spuriousSum[pair] ?? []
                    set.shuffle(using: &rng)
                    sum[pair] = set
                }
            }
        }
        return NetworkRanges(baseStations: stations, direct: direct, sum: sum, rangeVariance: variance)
    }

    /// Largest distance from a true target to its nearest estimate (∞ when none).
    static func worstError(_ result: AssociationResult, _ truth: [Vec3]) -> Double {
        truth.map { x in result.targets.map { ($0.estimate.position - x).norm }.min() ?? .infinity }.max() ?? 0
    }
}

@Test func threeTargetsNoiseFreeShuffledAreRecoveredExactly() {
    var rng = SeededRandom(seed: 1)
    let truth = AssociationScene.threeTargets
    let ranges = AssociationScene.ranges(targets: truth, rng: &rng)
    let result = JointAssociation.solve(ranges, settings: .init(preferredZ: 1.5))
    #expect(result.targets.count == 3)
    #expect(AssociationScene.worstError(result, truth) < 1e-6)
    #expect(!result.ambiguous)
    // Every target uses all five BSs, and each direct range exactly once.
    for target in result.targets { #expect(target.anchorCount == 5) }
    for i in 0..<5 {
        let indices = result.targets.compactMap { $0.mapping[i] }
        #expect(Set(indices).count == 3)
    }
}

@Test func nlosRangesAreRejectedAndABlockedTargetIsFoundWithFewerAnchors() {
    var rng = SeededRandom(seed: 2)
    let truth = AssociationScene.threeTargets
    let s = AssociationScene.stations
    let d = { (t: Int, i: Int) in (truth[t] - s[i]).norm }
    // NLOS echoes are longer than the LOS range of the same target.
    let spuriousDirect: [Int: [Double]] = [0: [d(0, 0) + 6.3], 3: [d(2, 3) + 11.7, d(1, 3) + 4.2], 4: [d(0, 4) + 2.9]]
    // One adversarial NLOS sum consistent with BS 0's spurious range, and one unrelated.
    let spuriousSum: [BaseStationPair: [Double]] = [
        BaseStationPair(0, 1): [d(0, 0) + 6.3 + d(0, 1)], BaseStationPair(2, 4): [d(1, 2) + d(1, 4) + 9.0],
    ]
    // Target 1 is blocked from BS 2.
    let ranges = AssociationScene.ranges(
        targets: truth, blocked: [[1, 2]], spuriousDirect: spuriousDirect, spuriousSum: spuriousSum, rng: &rng)
    let result = JointAssociation.solve(ranges, settings: .init(preferredZ: 1.5))
    #expect(result.targets.count == 3)
    #expect(AssociationScene.worstError(result, truth) < 1e-3)
    #expect(!result.ambiguous)
    let spurious = Set(spuriousDirect.flatMap { bs, values in values.map { "\(bs):\($0)" } })
    for target in result.targets {
        for (i, index) in target.mapping.enumerated() {
            guard let index else { continue }
            #expect(!spurious.contains("\(i):\(ranges.direct[i][index])"))
        }
    }
    // The blocked target is localised by the four BSs that see it, without BS 2.
    let blocked = result.targets.min { ($0.estimate.position - truth[1]).norm < ($1.estimate.position - truth[1]).norm }
    #expect(blocked?.anchorCount == 4)
    #expect(blocked?.mapping[2] == nil)
}

@Test func noisyRangesGiveTheRightCountAndPositionsInMostTrials() {
    let sigma = 0.05
    var successes = 0
    let trials = 50
    for trial in 0..<trials {
        var rng = SeededRandom(seed: 300).substream(trial)
        var truth: [Vec3] = []
        while truth.count < 3 {
            let x = Vec3(rng.uniform(10, 90), rng.uniform(10, 90), AssociationScene.targetHeight)
            if truth.allSatisfy({ ($0 - x).norm > 5 }) { truth.append(x) }
        }
        let ranges = AssociationScene.ranges(targets: truth, sigma: sigma, variance: sigma * sigma, rng: &rng)
        let result = JointAssociation.solve(ranges, settings: .init(preferredZ: 1.5))
        if result.targets.count == 3, AssociationScene.worstError(result, truth) < 0.5 { successes += 1 }
    }
    #expect(successes >= 45, "\(successes) of \(trials) trials correct")
}

@Test func monostaticOnlyGhostsAreReportedAndSumRangesResolveThem() {
    // A and B lie on the line y = 0, z = 10; T1 reflected across the plane y = 0 gives a ghost G
    // with the same ranges to A and B, and C (on the plane x = 50) sees G at T2's range.
    let stations = [Vec3(0, 0, 10), Vec3(100, 0, 10), Vec3(50, 60, 12)]
    let truth = [Vec3(30, 40, 1.5), Vec3(70, -40, 1.5)]
    let ghost = Vec3(30, -40, 1.5)
    // Independent check that the ghost association fits exactly.
    #expect(abs((ghost - stations[0]).norm - (truth[0] - stations[0]).norm) < 1e-12)
    #expect(abs((ghost - stations[1]).norm - (truth[0] - stations[1]).norm) < 1e-12)
    #expect(abs((ghost - stations[2]).norm - (truth[1] - stations[2]).norm) < 1e-12)

    var rng = SeededRandom(seed: 4)
    let monostatic = AssociationScene.ranges(
        targets: truth, stations: stations, variance: 1e-4, withSums: false, rng: &rng)
    let settings = AssociationSettings(preferredZ: 1.5)
    let ambiguous = JointAssociation.solve(monostatic, settings: settings)
    #expect(ambiguous.ambiguous)
    #expect(ambiguous.targets.contains { $0.ambiguous })

    let full = AssociationScene.ranges(targets: truth, stations: stations, variance: 1e-4, rng: &rng)
    let resolved = JointAssociation.solve(full, settings: settings)
    #expect(!resolved.ambiguous)
    #expect(resolved.targets.count == 2)
    #expect(AssociationScene.worstError(resolved, truth) < 1e-6)
}

@Test func sevenTargetsArePrunedFarBelowBruteForce() {
    var rng = SeededRandom(seed: 7)
    var truth: [Vec3] = []
    while truth.count < 7 {
        let x = Vec3(rng.uniform(5, 95), rng.uniform(5, 95), AssociationScene.targetHeight)
        if truth.allSatisfy({ ($0 - x).norm > 5 }) { truth.append(x) }
    }
    let ranges = AssociationScene.ranges(targets: truth, rng: &rng)
    let result = JointAssociation.solve(ranges, settings: .init(preferredZ: 1.5))
    #expect(result.targets.count == 7)
    #expect(AssociationScene.worstError(result, truth) < 1e-6)
    // Brute force at n = M alone would fit every combination: ∏ |R_i| = 7⁵.
    let bruteForce = ranges.direct.reduce(1) { $0 * $1.count }
    #expect(bruteForce == 16_807)
    #expect(result.candidatesTried >= 7)
    #expect(Double(result.candidatesTried) < 0.01 * Double(bruteForce))
}

@Test func pairsAreUnorderedAndEmptyInputGivesNoTargets() {
    #expect(BaseStationPair(3, 1) == BaseStationPair(1, 3))
    #expect(BaseStationPair(3, 1).first == 1)
    let ranges = NetworkRanges(
        baseStations: [.zero, Vec3(1, 0, 0), Vec3(0, 1, 0)], direct: [[], [], []],
        sum: [BaseStationPair(2, 0): [5]], rangeVariance: 1)
    #expect(ranges.sumRanges(0, 2) == [5])
    #expect(ranges.sumRanges(0, 1) == nil)
    let empty = JointAssociation.solve(ranges)
    #expect(empty.targets.isEmpty && empty.candidatesTried == 0 && !empty.ambiguous)
}
