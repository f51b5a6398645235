import Foundation
import Testing
import TwinStore
import TwinWorld

@testable import TwinEngine

/// Runs of road-two-operators.yaml under each cooperation policy.
@Suite struct CooperationRunTests {
    let file = packageRoot.appendingPathComponent("worlds/road-two-operators.yaml").path

    func options(_ policy: String, calibration: Bool, duration: Double = 3, record: String? = nil) -> RunOptions {
        RunOptions(
            duration: duration, recordPath: record, commandLine: "test", batchFrames: 7,
            overrides: [
                WorldOverride(key: "cooperation.policy", value: policy),
                WorldOverride(key: "cooperation.calibration", value: calibration ? "true" : "false"),
            ])
    }

    /// Without calibration op-b's sites and angles are 5–10 m and 1.5° off and cross-operator
    /// ranges 45 m long: the core localises fewer targets, worse. Calibration recovers the
    /// accuracy of a synchronised, common-frame network.
    @Test func uncalibratedMeasurementSharingIsClearlyWorse() throws {
        let good = try Simulation(worldFile: file, options: options("measurement-sharing", calibration: true)).run()
        let bad = try Simulation(worldFile: file, options: options("measurement-sharing", calibration: false)).run()
        let rmseGood = try #require(good.localization.detection.rootMeanSquareError)
        let rmseBad = try #require(bad.localization.detection.rootMeanSquareError)
        #expect(rmseBad > 3 * rmseGood, "RMSE \(rmseBad) m uncalibrated, \(rmseGood) m calibrated")
        #expect(bad.localization.detection.missedDetectionProbability > good.localization.detection.missedDetectionProbability + 0.2)
        #expect(bad.localization.detection.falseAlarmProbability > good.localization.detection.falseAlarmProbability + 0.2)
        #expect(good.localization.detection.missedDetectionProbability < 0.4)
        // Sharing measurements uses the cross-operator pairs: more links than the operators alone.
        let isolated = try Simulation(worldFile: file, options: options("isolated", calibration: true)).run()
        #expect(good.links == 112 && isolated.links == 50)
        #expect(good.localization.detection.correct > isolated.localization.detection.correct)
    }

    /// Calibration recovers the accuracy of operators that share a clock and a frame: the same
    /// world and seed with op-b's clock and frame offsets removed (and calibrated the same way,
    /// which then finds nothing but the STO) localises the same targets as well.
    @Test func calibrationRecoversTheSynchronisedAccuracy() throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let planted = ", clockOffsetNs: 150, frameOffset: [4, -3, 0], frameRotationDeg: 1.5"
        #expect(text.contains(planted))
        let aligned = try Simulation(
            worldFile: "aligned.yaml", worldText: text.replacingOccurrences(of: planted, with: ""),
            options: options("measurement-sharing", calibration: true)
        ).run()
        let calibrated = try Simulation(worldFile: file, options: options("measurement-sharing", calibration: true)).run()
        let (a, c) = (aligned.localization.detection, calibrated.localization.detection)
        #expect(abs(a.missedDetectionProbability - c.missedDetectionProbability) < 0.02)
        #expect(c.falseAlarmProbability < 0.02)
        let (ra, rc) = (try #require(a.rootMeanSquareError), try #require(c.rootMeanSquareError))
        #expect(rc < 1.5 * ra + 0.001, "RMSE \(rc) m calibrated, \(ra) m without offsets")
    }

    /// Same world and seed, same recording bit for bit; a run stopped and resumed, and a
    /// replay with --verify, give the uninterrupted run's frames and twin (edge twins and the
    /// core's association travel in the resume point).
    @Test(arguments: ["track-sharing", "isolated", "measurement-sharing"])
    func deterministicResumableAndReplayable(policy: String) throws {
        let a = temporaryPath("a.sqlite"), b = temporaryPath("b.sqlite")
        let full = try Simulation(worldFile: file, options: options(policy, calibration: true, record: a)).run()
        _ = try Simulation(worldFile: file, options: options(policy, calibration: true, record: b)).run()
        #expect(try digests(a) == digests(b))
        #expect(full.twin.confirmedTracks.count >= 3)

        let cut = temporaryPath("cut.sqlite")
        var o = options(policy, calibration: true, record: cut)
        o.stopAfterFrames = 17
        #expect(throws: SimulationInterrupted.self) { try Simulation(worldFile: file, options: o).run() }
        let resumed = try Simulation.resume(recording: cut, commandLine: "test --resume")
        #expect(resumed.resumedAfter == 14)
        #expect(resumed.twin == full.twin)
        #expect(try digests(cut) == digests(a))

        let replay = try Replay.run(recording: a, options: ReplayOptions(verify: true, commandLine: "test"))
        #expect(replay.firstDifference == nil)
        #expect(replay.twin == full.twin)
    }

    func digests(_ path: String) throws -> [String: UInt64] {
        let r = try Recording(path: path)
        return Dictionary(uniqueKeysWithValues: try ResumeTests.frameTables.map { ($0, try r.digest(table: $0)) })
    }

    func run(_ policy: String, handover: String, duration: Double, record: String? = nil) throws -> RunSummary {
        var o = options(policy, calibration: true, duration: duration, record: record)
        o.overrides.append(WorldOverride(key: "handover.policy", value: handover))
        return try Simulation(worldFile: file, options: o).run()
    }

    /// Handover under edge fusion centres: each operator's manager clusters its own BSs for its
    /// own tracks. Before, one manager over all BSs formed clusters like micro-a1+micro-b5 that
    /// light no link (no cross-operator links under isolated): 5 s isolated hysteresis gave a
    /// tracked P_FA of 0.398 (0.015 with handover none). Now:
    /// - every event names its operator and a cluster of that operator's BSs only;
    /// - the tracked P_FA stays within 0.02 of handover none (the false tracks came from
    ///   unlit clusters: the twin's tracks coasting away from their targets);
    /// - over 15 s, handover costs isolated no more coverage than it costs one centre
    ///   (measurement-sharing): confirmed tracks per frame hysteresis / none under isolated is at
    ///   least 0.8 × that ratio under measurement-sharing. Handover itself lights fewer targets
    ///   (untracked targets only on search frames, once a second), so "as many tracks as handover
    ///   none" is not the bound; 0.8 leaves room for run-to-run noise of a few tracks.
    @Test func isolatedHandoverClustersStayWithinOneOperator() throws {
        let path = temporaryPath("isolated-handover.sqlite")
        let none = try run("isolated", handover: "none", duration: 5)
        let hysteresis = try run("isolated", handover: "hysteresis", duration: 5, record: path)
        let (faNone, fa) = (none.tracking.detection.falseAlarmProbability, hysteresis.tracking.detection.falseAlarmProbability)
        #expect(fa <= faNone + 0.02, "tracked P_FA \(fa) with hysteresis, \(faNone) without")
        let spec = try WorldSpec.load(path: file)
        let operatorOf = Dictionary(uniqueKeysWithValues: spec.baseStations.map { ($0.name, $0.operatorName) })
        let events = try Recording(path: path).handoverEvents()
        #expect(events.count >= 5)
        #expect(Set(events.compactMap(\.operatorName)) == ["op-a", "op-b"])
        for e in events {
            for cluster in [e.from, e.to].compactMap({ $0 }) {
                let owners = Set(cluster.split(separator: "+").map { operatorOf[String($0)] })
                #expect(owners == [e.operatorName], "\(e.operatorName ?? "nil"): \(cluster)")
            }
        }
        let metrics = try #require(try RecordingHandoverMetrics(path: path))
        #expect(metrics.metrics.initialAssignments == events.count(where: { $0.from == nil }))

        func ratio(_ policy: String) throws -> Double {
            let a = try run(policy, handover: "hysteresis", duration: 15).tracking.meanConfirmedTracks
            let b = try run(policy, handover: "none", duration: 15).tracking.meanConfirmedTracks
            return a / b
        }
        let (isolated, shared) = (try ratio("isolated"), try ratio("measurement-sharing"))
        #expect(isolated >= 0.8 * shared, "confirmed tracks hysteresis/none: isolated \(isolated), measurement-sharing \(shared)")
    }

    /// Per-operator handover state travels in the resume point: an interrupted track-sharing
    /// run with handover resumes to the same recording (handover events included) and twin.
    @Test(arguments: [("track-sharing", "hysteresis"), ("isolated", "predictive")])
    func edgeHandoverResumesExactly(policy: String, handover: String) throws {
        func opts(_ path: String) -> RunOptions {
            var o = options(policy, calibration: true, duration: 4, record: path)
            o.overrides.append(WorldOverride(key: "handover.policy", value: handover))
            return o
        }
        let a = temporaryPath("edge-handover-a.sqlite")
        let full = try Simulation(worldFile: file, options: opts(a)).run()
        let cut = temporaryPath("edge-handover-cut.sqlite")
        var o = opts(cut)
        o.stopAfterFrames = 24
        #expect(throws: SimulationInterrupted.self) { try Simulation(worldFile: file, options: o).run() }
        let resumed = try Simulation.resume(recording: cut, commandLine: "test --resume")
        #expect(resumed.resumedAfter == 21)
        #expect(resumed.twin == full.twin)
        let (x, y) = (try Recording(path: a), try Recording(path: cut))
        for table in ResumeTests.frameTables + ["handover_event"] {
            #expect(try x.digest(table: table) == y.digest(table: table), "table \(table)")
        }
        let events = try x.handoverEvents()
        #expect(try y.handoverEvents() == events)
        // Events after the resume point exist, so the resumed part had to reproduce them.
        #expect(events.contains { $0.frameIndex > 21 })
    }
}
