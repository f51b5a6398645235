import Foundation
import Testing
import TwinMath

@testable import TwinMetrics

private func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

struct SetDistanceTests {
    let truths = [Vec3(0, 0, 0), Vec3(10, 0, 0), Vec3(20, 0, 0)]

    @Test func equalCardinalityWithinTheCutoff() {
        // Errors 1, 2, 3 m: Σ d² = 14.
        let estimates = [Vec3(20, 0, 3), Vec3(1, 0, 0), Vec3(10, 2, 0)]
        let o = OSPA(truths: truths, estimates: estimates, cutoff: 10, order: 2)
        #expect(close(o.distance, (14.0 / 3).squareRoot()))
        #expect(close(o.localization, (14.0 / 3).squareRoot()))
        #expect(o.cardinality == 0)
        let g = GOSPA(truths: truths, estimates: estimates, cutoff: 10, order: 2)
        #expect(close(g.distance, 14.0.squareRoot()))
        #expect(close(g.localization, 14) && g.missed == 0 && g.falseTargets == 0)
        #expect(g.assignedCount == 3 && g.missedCount == 0 && g.falseCount == 0)
    }

    @Test func cardinalityMismatch() {
        // Two estimates for three targets, errors 1 and 2 m; one target missed.
        let estimates = [Vec3(0, 1, 0), Vec3(10, 0, 2)]
        let o = OSPA(truths: truths, estimates: estimates, cutoff: 10, order: 2)
        // ((1 + 4 + 10²·1) / 3)^(1/2) = √35
        #expect(close(o.distance, 35.0.squareRoot()))
        #expect(close(o.localization, (5.0 / 3).squareRoot()))
        #expect(close(o.cardinality, (100.0 / 3).squareRoot()))
        #expect(close(o.localization * o.localization + o.cardinality * o.cardinality, o.distance * o.distance))
        let g = GOSPA(truths: truths, estimates: estimates, cutoff: 10, order: 2)
        // 1 + 4 + 10²/2 · 1 missed = 55
        #expect(close(g.distance, 55.0.squareRoot()))
        #expect(close(g.localization, 5) && g.missed == 50 && g.falseTargets == 0)
        #expect(g.missedCount == 1 && g.falseCount == 0)
        // Swapping the roles: OSPA is symmetric, GOSPA turns the miss into a false target.
        #expect(close(OSPA(truths: estimates, estimates: truths, cutoff: 10, order: 2).distance, o.distance))
        let swapped = GOSPA(truths: estimates, estimates: truths, cutoff: 10, order: 2)
        #expect(swapped.missed == 0 && swapped.falseTargets == 50 && close(swapped.distance, g.distance))
    }

    @Test func beyondTheCutoff() {
        // c = 5, p = 1: errors 1, 3 and 50 m (→ 5).
        let estimates = [Vec3(0, 0, 1), Vec3(10, 3, 0), Vec3(20, 0, 50)]
        let o = OSPA(truths: truths, estimates: estimates, cutoff: 5, order: 1)
        #expect(close(o.distance, (1 + 3 + 5) / 3.0))
        #expect(o.distance <= 5)
        let g = GOSPA(truths: truths, estimates: estimates, cutoff: 5, order: 1)
        // The far pair is one missed target and one false one: 1 + 3 + 2.5 + 2.5 = 9.
        #expect(close(g.localization, 4) && g.missed == 2.5 && g.falseTargets == 2.5)
        #expect(close(g.distance, 9))
        #expect(close(g.localization + g.missed + g.falseTargets, g.distance))
        #expect(g.assignedCount == 2 && g.missedCount == 1 && g.falseCount == 1)
        // Everything beyond the cutoff: OSPA = c.
        let far = OSPA(truths: [Vec3(0, 0, 0)], estimates: [Vec3(100, 0, 0)], cutoff: 5, order: 2)
        #expect(close(far.distance, 5))
        let farG = GOSPA(truths: [Vec3(0, 0, 0)], estimates: [Vec3(100, 0, 0)], cutoff: 5, order: 2)
        #expect(close(farG.distance, 5) && farG.missed == 12.5 && farG.falseTargets == 12.5)
    }

    @Test func emptySets() {
        #expect(OSPA(truths: [], estimates: [], cutoff: 10, order: 2).distance == 0)
        #expect(GOSPA(truths: [], estimates: [], cutoff: 10, order: 2).distance == 0)
        #expect(close(OSPA(truths: [], estimates: truths, cutoff: 10, order: 2).distance, 10))
        let g = GOSPA(truths: [], estimates: [Vec3(1, 2, 3), Vec3(4, 5, 6)], cutoff: 10, order: 2)
        #expect(close(g.distance, 100.0.squareRoot()) && g.falseCount == 2)
    }

    @Test func ospaNeverExceedsTheCutoffAndGOSPAComponentsSum() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<200 {
            let x = (0..<Int(random.next() % 5)).map { _ in Vec3(random.uniform(0, 30), random.uniform(0, 30), 0) }
            let y = (0..<Int(random.next() % 5)).map { _ in Vec3(random.uniform(0, 30), random.uniform(0, 30), 0) }
            for p in [1.0, 2.0] {
                let o = OSPA(truths: x, estimates: y, cutoff: 8, order: p)
                #expect(o.distance <= 8 + 1e-12)
                #expect(close(pow(o.localization, p) + pow(o.cardinality, p), pow(o.distance, p), 1e-9))
                let g = GOSPA(truths: x, estimates: y, cutoff: 8, order: p)
                #expect(close(g.localization + g.missed + g.falseTargets, pow(g.distance, p), 1e-9))
                #expect(g.missedCount + g.assignedCount == x.count && g.falseCount + g.assignedCount == y.count)
            }
        }
    }
}

struct DetectionAndContinuityTests {
    /// 10 frames: target 7 exists in all, estimated 0.5 m off except in frames 3–5 (5 m off);
    /// target 8 exists in frames 1–4, estimated 0.2 m off except in frame 2 (no estimate).
    func series() -> [MetricsFrame] {
        (1...10).map { k in
            var targets = [LabeledPoint(id: 7, position: Vec3(Double(k), 0, 0))]
            var estimates = [LabeledPoint(id: 0, position: Vec3(Double(k), (3...5).contains(k) ? 5 : 0.5, 0))]
            if k <= 4 {
                targets.append(LabeledPoint(id: 8, position: Vec3(0, 20, Double(k))))
                if k != 2 { estimates.append(LabeledPoint(id: 1, position: Vec3(0, 20, Double(k) + 0.2))) }
            }
            return MetricsFrame(time: Double(k) * 0.1, targets: targets, estimates: estimates)
        }
    }

    @Test func continuityPerTargetAndPooled() {
        let m = EstimateMetrics(frames: series(), settings: MetricsSettings(threshold: 1))
        let t7 = m.continuity.targets[0], t8 = m.continuity.targets[1]
        #expect(t7.id == 7 && t7.frames == 10 && t7.covered == 7 && t7.longestGap == 3)
        #expect(close(t7.fraction, 0.7))
        #expect(t8.id == 8 && t8.frames == 4 && t8.covered == 3 && t8.longestGap == 1)
        #expect(close(m.continuity.overall, 10.0 / 14))
        #expect(m.continuity.longestGap == 3)
    }

    @Test func detectionAndAccuracy() {
        let m = EstimateMetrics(frames: series(), settings: MetricsSettings(threshold: 1))
        #expect(m.detection == DetectionCounts(truths: 14, reported: 13, correct: 10, squaredErrorSum: m.detection.squaredErrorSum))
        #expect(close(m.detection.missedDetectionProbability, 4.0 / 14))
        #expect(close(m.detection.falseAlarmProbability, 3.0 / 13))
        // 7 errors of 0.5 m and 3 of 0.2 m.
        #expect(close(m.detection.rootMeanSquareError, ((7 * 0.25 + 3 * 0.04) / 10).squareRoot(), 1e-9))
        #expect(close(m.accuracy.rootMeanSquareError, m.detection.rootMeanSquareError, 1e-9))
        #expect(m.accuracy.sortedErrors.count == 10)
        #expect(close(m.accuracy.sortedErrors[0], 0.2, 1e-9) && close(m.accuracy.sortedErrors[9], 0.5))
        // Quantiles by linear interpolation (NumPy's default).
        let a = Accuracy(errors: [5, 1, 4, 2, 3])
        #expect(a.p50 == 3 && close(a.p90, 4.6) && close(a.p95, 4.8))
        #expect(Accuracy(errors: []).p50.isNaN && Accuracy(errors: []).rootMeanSquareError.isNaN)
        #expect(Accuracy(errors: [2]).p95 == 2)
    }

    @Test func matchingIsOneToOneWithinTheThreshold() {
        // Two targets 0.8 m apart and one estimate between them: one match, the nearer.
        let matches = Matching.match(targets: [Vec3(0, 0, 0), Vec3(0.8, 0, 0)], estimates: [Vec3(0.5, 0, 0)], threshold: 1)
        #expect(matches.count == 1 && matches[0].target == 1 && close(matches[0].error, 0.3))
        // Greedy would give target 0 the estimate at 0.1 and miss target 1; optimal finds both.
        let both = Matching.match(targets: [Vec3(0, 0, 0), Vec3(0.9, 0, 0)], estimates: [Vec3(0.1, 0, 0), Vec3(-0.8, 0, 0)], threshold: 1)
        #expect(both.count == 2)
        #expect(Matching.match(targets: [Vec3(0, 0, 0)], estimates: [Vec3(1.5, 0, 0)], threshold: 1).isEmpty)
    }
}

struct TrackMetricsTests {
    @Test func siapOfAScriptedHistory() {
        // Targets 1 (A) and 2 (B); tracks 10, 11 (A's second track, which takes over), 20 (B's)
        // and 99 (spurious). dt = 0.1 s.
        let a = Vec3(0, 0, 0), b = Vec3(50, 0, 0), nowhere = Vec3(100, 100, 0)
        let dx = Vec3(0.1, 0, 0), dy = Vec3(0, 0.3, 0)
        func frame(_ k: Int, targets: [(Int, Vec3)], tracks: [(Int, Vec3)]) -> MetricsFrame {
            MetricsFrame(
                time: Double(k) * 0.1, targets: targets.map { LabeledPoint(id: $0.0, position: $0.1) },
                estimates: tracks.map { LabeledPoint(id: $0.0, position: $0.1) })
        }
        let frames = [
            frame(1, targets: [(1, a), (2, b)], tracks: [(10, a + dx), (20, b + dx), (99, nowhere)]),
            // 11 appears 0.3 m from A: redundant (10 is primary).
            frame(2, targets: [(1, a), (2, b)], tracks: [(10, a), (11, a + dy), (20, b), (99, nowhere)]),
            // 10 gone: 11 becomes A's primary track (an ID switch).
            frame(3, targets: [(1, a), (2, b)], tracks: [(11, a + dy), (20, b), (99, nowhere)]),
            // 20 drifts 5 m off B: B untracked, 20 unassigned.
            frame(4, targets: [(1, a), (2, b)], tracks: [(11, a), (20, b + Vec3(5, 0, 0))]),
        ]
        let m = TrackMetrics(frames: frames, threshold: 1, frameDuration: 0.1)
        #expect(m.targetFrames == 8 && m.trackedTargetFrames == 7)
        #expect(m.trackFrames == 12 && m.assignedTrackFrames == 8)
        #expect(close(m.completeness, 7.0 / 8))
        #expect(close(m.ambiguity, 8.0 / 7))
        #expect(close(m.spuriousness, 4.0 / 12))
        #expect(m.idSwitches == 1)
        #expect(close(m.trackNumberChangeRate, 1 / 0.7))
    }

    @Test func noSwitchWhenTheSameTrackReturnsAfterAGap() {
        let t = LabeledPoint(id: 1, position: .zero)
        let frames = [
            MetricsFrame(time: 0.1, targets: [t], estimates: [LabeledPoint(id: 5, position: .zero)]),
            MetricsFrame(time: 0.2, targets: [t], estimates: []),
            MetricsFrame(time: 0.3, targets: [t], estimates: [LabeledPoint(id: 5, position: .zero)]),
            MetricsFrame(time: 0.4, targets: [t], estimates: [LabeledPoint(id: 6, position: .zero)]),
        ]
        let m = TrackMetrics(frames: frames, threshold: 1, frameDuration: 0.1)
        #expect(m.idSwitches == 1 && close(m.completeness, 0.75) && m.ambiguity == 1 && m.spuriousness == 0)
    }
}
