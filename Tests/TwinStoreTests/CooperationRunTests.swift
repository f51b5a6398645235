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

    /// Handover under edge fusion centres is refused before any frame runs (clusters would
    /// mix the operators' BSs; see CooperationFileTests), as `--handover` with `--cooperation` is.
    @Test func handoverUnderTrackSharingIsRefused() throws {
        var o = options("track-sharing", calibration: true)
        o.overrides.append(WorldOverride(key: "handover.policy", value: "hysteresis"))
        #expect(throws: WorldFileError.self) { try Simulation(worldFile: file, options: o) }
    }
}
