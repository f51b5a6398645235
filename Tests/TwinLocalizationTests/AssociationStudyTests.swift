import Testing
import TwinLocalization
import TwinMath

/// The Monte-Carlo study of the joint association (scene generator, detection metrics, a small
/// study) and the baseline without the one-range-per-target constraint.

@Test func rangeNoiseFollowsTheRangeResolution() {
    // ΔR = c/(2B): 0.3747 m at 400 MHz, 0.4997 m at 300 MHz; σ = ΔR/√12.
    #expect(abs(AssociationStudy.rangeResolution(bandwidth: 400e6) - 0.374_740_57) < 1e-6)
    #expect(abs(AssociationStudy.rangeSigma(bandwidth: 400e6) - 0.108_178) < 1e-5)
    #expect(abs(AssociationStudy.rangeSigma(bandwidth: 300e6) - 0.144_237) < 1e-5)
}

@Test func cleanSceneHasOneDirectRangePerTargetAtTheTrueDistance() {
    let k = 4
    let settings = AssociationStudy.SceneSettings(bandwidth: 400e6, targetCount: k, blockageProbability: 0, nlosProbability: 0)
    let scene = AssociationStudy.scene(settings, seed: 11, trial: 3)
    let stations = AssociationStudy.baseStations
    #expect(scene.targets.count == k)
    #expect(scene.ranges.baseStations == stations)
    #expect(abs(scene.ranges.rangeVariance - settings.rangeSigma * settings.rangeSigma) < 1e-15)
    let bound = 6 * settings.rangeSigma  // a 6σ draw: about 2·10⁻⁹ per range
    for target in scene.targets {
        #expect((5...95).contains(target.x) && (5...95).contains(target.y) && (0...2).contains(target.z))
    }
    for i in 0..<stations.count {
        #expect(scene.ranges.direct[i].count == k)
        // Sorted ranges against sorted true distances (noise ≪ typical spacing; check nearest).
        for target in scene.targets {
            let truth = (target - stations[i]).norm
            let nearest = scene.ranges.direct[i].map { abs($0 - truth) }.min() ?? .infinity
            #expect(nearest < bound)
        }
    }
    #expect(scene.ranges.sum.count == 10)
    for (pair, set) in scene.ranges.sum {
        #expect(set.count == k)
        for target in scene.targets {
            let truth = (target - stations[pair.first]).norm + (target - stations[pair.second]).norm
            #expect((set.map { abs($0 - truth) }.min() ?? .infinity) < bound)
        }
    }
}

@Test func scenesAreReproducibleAndTrialsDiffer() {
    let settings = AssociationStudy.SceneSettings(bandwidth: 300e6, targetCount: 5)
    let a = AssociationStudy.scene(settings, seed: 1, trial: 7)
    let b = AssociationStudy.scene(settings, seed: 1, trial: 7)
    #expect(a == b)
    #expect(AssociationStudy.scene(settings, seed: 1, trial: 8).targets != a.targets)
    #expect(AssociationStudy.scene(settings, seed: 2, trial: 7).targets != a.targets)
    // Common random numbers: the other bandwidth sees the same targets and blockages.
    var other = settings
    other.bandwidth = 400e6
    let c = AssociationStudy.scene(other, seed: 1, trial: 7)
    #expect(c.targets == a.targets && c.blocked == a.blocked)
}

@Test func blockedLegsRemoveTheirDirectAndSumRanges() {
    // Certain blockage of every leg: nothing is measured, yet every pair is present (measured).
    let all = AssociationStudy.scene(
        .init(bandwidth: 400e6, targetCount: 3, blockageProbability: 1, nlosProbability: 1), seed: 5, trial: 0)
    #expect(all.ranges.direct.allSatisfy { $0.isEmpty })
    #expect(all.ranges.sum.count == 10 && all.ranges.sum.values.allSatisfy { $0.isEmpty })

    // Partial blockage without NLOS: counts follow the blocked legs exactly.
    let stations = AssociationStudy.baseStations
    var sawBlockage = false
    for trial in 0..<10 {
        let scene = AssociationStudy.scene(
            .init(bandwidth: 400e6, targetCount: 4, blockageProbability: 0.3, nlosProbability: 0), seed: 9, trial: trial)
        let visible = { (t: Int, i: Int) in !scene.blocked[t][i] }
        for i in 0..<stations.count {
            #expect(scene.ranges.direct[i].count == (0..<4).count { visible($0, i) })
            for j in (i + 1)..<stations.count {
                #expect(scene.ranges.sum[BaseStationPair(i, j)] != nil)
                let set = scene.ranges.sum[BaseStationPair(i, j)] ?? []
                #expect(set.count == (0..<4).count { visible($0, i) && visible($0, j) })
                // No sum range of a blocked target's legs remains (each true sum is far from others
                // or counted by a visible target).
                for t in 0..<4 where !(visible(t, i) && visible(t, j)) {
                    sawBlockage = true
                    let truth = (scene.targets[t] - stations[i]).norm + (scene.targets[t] - stations[j]).norm
                    let explained = (0..<4).contains { u in
                        visible(u, i) && visible(u, j)
                            && abs((scene.targets[u] - stations[i]).norm + (scene.targets[u] - stations[j]).norm - truth) < 1
                    }
                    if !explained { #expect(set.allSatisfy { abs($0 - truth) > 0.6 }) }
                }
            }
        }
    }
    #expect(sawBlockage)
}

@Test func nlosRangesAreLongerThanTheTrueOnes() {
    let settings = AssociationStudy.SceneSettings(bandwidth: 400e6, targetCount: 2, blockageProbability: 0, nlosProbability: 1)
    let scene = AssociationStudy.scene(settings, seed: 3, trial: 1)
    let stations = AssociationStudy.baseStations
    let tolerance = 6 * settings.rangeSigma
    for i in 0..<stations.count {
        // One true and one spurious range per target; the spurious excess is 1…20 m.
        #expect(scene.ranges.direct[i].count == 4)
        let truths = scene.targets.map { ($0 - stations[i]).norm }
        for value in scene.ranges.direct[i] {
            let explained = truths.contains { d in
                abs(value - d) < tolerance || (d + 1 - tolerance...d + 20 + tolerance).contains(value)
            }
            #expect(explained, "BS \(i): \(value) m against true ranges \(truths)")
        }
        let spurious = scene.ranges.direct[i].filter { v in truths.allSatisfy { abs(v - $0) >= tolerance } }
        #expect(spurious.count == 2)
    }
    #expect(scene.ranges.sum.values.allSatisfy { $0.count == 4 })
}

@Test func detectionCountsFollowTheOneToOneRule() {
    let truths = [Vec3(0, 0, 0), Vec3(10, 0, 0)]
    let estimates = [Vec3(0.3, 0, 0), Vec3(50, 50, 0), Vec3(10, 0.4, 0)]
    let frame = AssociationStudy.Detection.evaluate(truths: truths, estimates: estimates)
    #expect(frame.truths == 2 && frame.reported == 3 && frame.correct == 2)
    #expect(frame.missedDetectionProbability == 0)
    #expect(abs(frame.falseAlarmProbability - 1.0 / 3.0) < 1e-12)
    #expect(abs(frame.rootMeanSquareError! - ((0.09 + 0.16) / 2).squareRoot()) < 1e-12)

    // Two estimates near one truth count once; the other truth is missed.
    let crowded = AssociationStudy.Detection.evaluate(truths: truths, estimates: [Vec3(0.2, 0, 0), Vec3(-0.2, 0, 0)])
    #expect(crowded.correct == 1)
    #expect(crowded.missedDetectionProbability == 0.5 && crowded.falseAlarmProbability == 0.5)

    // One estimate between two truths within 1 m of both: matched once, to the nearer.
    let between = AssociationStudy.Detection.evaluate(
        truths: [Vec3(0, 0, 0), Vec3(1.5, 0, 0)], estimates: [Vec3(0.8, 0, 0), Vec3(-0.9, 0, 0)])
    #expect(between.correct == 2)  // (0,0,0)↔(−0.9), (1.5)↔(0.8): the maximum matching

    // Nothing reported: P_FA is 0, P_MD is 1; nothing true: P_MD is 0.
    let none = AssociationStudy.Detection.evaluate(truths: truths, estimates: [])
    #expect(none.missedDetectionProbability == 1 && none.falseAlarmProbability == 0 && none.rootMeanSquareError == nil)
    let ghostOnly = AssociationStudy.Detection.evaluate(truths: [], estimates: [Vec3(1, 1, 1)])
    #expect(ghostOnly.missedDetectionProbability == 0 && ghostOnly.falseAlarmProbability == 1)

    // Pooling adds counts: P_MD = 1 − 2/4, P_FA = 1 − 2/3.
    let pooled = frame + none
    #expect(pooled.truths == 4 && pooled.reported == 3 && pooled.correct == 2)
    #expect(abs(pooled.missedDetectionProbability - 0.5) < 1e-12)
}

@Test func withoutExclusiveRangesACleanTwoTargetSceneReportsBoth() {
    let stations = AssociationStudy.baseStations
    let truth = [Vec3(25, 30, 1), Vec3(70, 65, 1.5)]
    var direct: [[Double]] = stations.map { s in truth.map { ($0 - s).norm } }
    direct[2].reverse()
    var sum: [BaseStationPair: [Double]] = [:]
    for i in 0..<stations.count {
        for j in (i + 1)..<stations.count {
            sum[BaseStationPair(i, j)] = truth.map { ($0 - stations[i]).norm + ($0 - stations[j]).norm }
        }
    }
    let ranges = NetworkRanges(baseStations: stations, direct: direct, sum: sum, rangeVariance: 0.01)
    let baseline = JointAssociation.solve(ranges, settings: .init(preferredZ: 1, exclusiveRanges: false))
    // Each target is found by the 5-subset; its 4- and 3-subset refits land on it and merge away.
    #expect(baseline.targets.count == 2)
    for x in truth {
        #expect(baseline.targets.contains { ($0.estimate.position - x).norm < 1e-6 })
    }
    #expect(baseline.targets.allSatisfy { $0.anchorCount == 5 })
    #expect(!baseline.ambiguous)
    // The constrained solve finds the same two, with fewer fits (ranges are consumed).
    let joint = JointAssociation.solve(ranges, settings: .init(preferredZ: 1))
    #expect(joint.targets.count == 2)
    #expect(joint.candidatesTried < baseline.candidatesTried)
}

@Test func smallStudyJointFindsTargetsAndTheBaselineReportsMoreGhosts() {
    let rows = AssociationStudy.run(bandwidths: [400e6], targetCounts: [3], trials: 20, seed: 1)
    #expect(rows.count == 2)
    let joint = rows.first { $0.method == .joint }!
    let baseline = rows.first { $0.method == .baseline }!
    #expect(joint.trials == 20 && joint.detection.truths == 60 && baseline.detection.truths == 60)
    #expect(joint.detection.missedDetectionProbability < 0.2, "joint P_MD \(joint.detection.missedDetectionProbability)")
    // Without the constraint, ghosts built from NLOS ranges and from ranges of found targets survive.
    #expect(
        baseline.detection.falseAlarmProbability > joint.detection.falseAlarmProbability,
        "P_FA baseline \(baseline.detection.falseAlarmProbability), joint \(joint.detection.falseAlarmProbability)")
    #expect(joint.meanCandidates > 0)
    let table = AssociationStudy.markdownTable(rows)
    let lines = table.split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines[2].hasPrefix("| 400 | 3 | "))
}

@Test func markdownTableFormatsNumbersAndMissingCells() {
    let row = AssociationStudy.Row(
        bandwidth: 300e6, targetCount: 7, method: .joint, trials: 10,
        detection: .init(truths: 70, reported: 68, correct: 65, squaredErrorSum: 65 * 0.01), meanSeconds: 0.000_4567,
        meanCandidates: 12, ambiguousFraction: 0)
    let table = AssociationStudy.markdownTable([row])
    let line = table.split(separator: "\n")[2]
    #expect(line == "| 300 | 7 | 0.071 | 0.044 | 0.100 | 0.457 | – | – | – |")
}

@Test func detailsTableShowsReportsCandidatesAndAmbiguity() {
    let row = AssociationStudy.Row(
        bandwidth: 400e6, targetCount: 2, method: .baseline, trials: 4, detection: .init(truths: 8, reported: 10, correct: 7),
        meanSeconds: 0, meanCandidates: 12.25, ambiguousFraction: 0.5)
    let lines = AssociationStudy.detailsTable([row]).split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines[1] == "|---:|---:|---:|---:|---:|---:|---:|---:|")
    #expect(lines[2] == "| 400 | 2 | – | – | – | 2.50 | 12.3 | 0.500 |")
}
