import Foundation
import Testing
import TwinEngine
import TwinMath
import TwinMetrics
import TwinStore

private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

private func temporaryPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isac-twin-metrics-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}

struct RecordingMetricsTests {
    /// The metrics read back from a recording reproduce the run's own scoring (TwinLocalization's
    /// `AssociationStudy.Detection` against the heard targets, computed while running): the two
    /// implementations meet only through the recording.
    @Test func metricsOfARecordingMatchTheRunSummary() throws {
        let path = temporaryPath("factory.sqlite")
        let sim = try Simulation(
            worldFile: packageRoot.appendingPathComponent("worlds/factory.yaml").path,
            options: RunOptions(duration: 3, recordPath: path, commandLine: "test"))
        let summary = try sim.run()
        let m = try RecordingMetrics(path: path)
        #expect(m.frames == 30 && m.heardTargets)
        #expect(abs(m.duration - 3) < 1e-9)

        let run = summary.localization.detection, raw = m.raw.detection
        #expect(raw.truths == run.truths && raw.reported == run.reported && raw.correct == run.correct)
        #expect(raw.truths > 0 && raw.correct > 0)
        #expect(abs(raw.missedDetectionProbability - run.missedDetectionProbability) < 1e-15)
        #expect(abs(raw.falseAlarmProbability - run.falseAlarmProbability) < 1e-15)
        let runRMSE = try #require(run.rootMeanSquareError)
        #expect(abs(raw.rootMeanSquareError - runRMSE) <= 1e-12 * runRMSE)
        #expect(abs(m.raw.accuracy.rootMeanSquareError - runRMSE) <= 1e-9 * runRMSE)

        let twin = summary.tracking.detection, tracked = m.tracked.detection
        #expect(tracked.truths == twin.truths && tracked.reported == twin.reported && tracked.correct == twin.correct)
        #expect(abs(tracked.missedDetectionProbability - twin.missedDetectionProbability) < 1e-15)
        #expect(abs(tracked.falseAlarmProbability - twin.falseAlarmProbability) < 1e-15)
        let twinRMSE = try #require(twin.rootMeanSquareError)
        #expect(abs(tracked.rootMeanSquareError - twinRMSE) <= 1e-12 * twinRMSE)

        // Continuity pools the same matches: Σ covered = Σ correct, Σ frames = Σ true targets.
        #expect(m.raw.continuity.covered == raw.correct && m.raw.continuity.frames == raw.truths)
        #expect(m.tracked.continuity.covered == tracked.correct && m.tracked.continuity.frames == tracked.truths)
        // SIAP completeness is the tracked detection rate; tracks are the twin's.
        #expect(abs(m.tracks.completeness - (1 - tracked.missedDetectionProbability)) < 1e-12)
        #expect(m.tracks.trackFrames == tracked.reported)
        #expect(m.raw.ospa.distance >= 0 && m.raw.ospa.distance <= 10)
        #expect(m.moverNames.count == 17)
    }

    @Test func withoutObservationsEveryMoverIsATarget() throws {
        let path = temporaryPath("tiny.sqlite")
        let sim = try Simulation(
            worldFile: packageRoot.appendingPathComponent("worlds/tiny.yaml").path,
            options: RunOptions(duration: 1, recordPath: path, commandLine: "test", recordObservations: false))
        _ = try sim.run()
        let m = try RecordingMetrics(path: path)
        #expect(!m.heardTargets)
        #expect(m.raw.detection.truths == 10 * m.moverNames.count)
        #expect(m.raw.continuity.targets.allSatisfy { $0.frames == 10 })
    }
}
