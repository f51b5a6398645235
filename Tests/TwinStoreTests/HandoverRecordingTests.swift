import Foundation
import Testing
import TwinMetrics
import TwinSensing
import TwinStore
import TwinWorld

@testable import TwinEngine

/// Handover in the recording: events stored, metrics read back, and resume bit-exact.
struct HandoverRecordingTests {
    /// uav-corridor with the predictive policy, interrupted after 23 frames (batches of 7),
    /// resumed: every table — handover events included — and the twin equal a straight run.
    @Test func resumedHandoverRunEqualsUninterruptedRun() throws {
        let file = packageRoot.appendingPathComponent("worlds/uav-corridor.yaml").path
        func options(_ path: String) -> RunOptions {
            RunOptions(
                duration: 6, recordPath: path, commandLine: "test", batchFrames: 7,
                overrides: [WorldOverride(key: "handover.policy", value: "predictive")])
        }
        let straight = temporaryPath("handover-straight.sqlite")
        let full = try Simulation(worldFile: file, options: options(straight)).run()
        let interrupted = temporaryPath("handover-interrupted.sqlite")
        var o = options(interrupted)
        o.stopAfterFrames = 23
        #expect(throws: SimulationInterrupted.self) { try Simulation(worldFile: file, options: o).run() }
        let resumed = try Simulation.resume(recording: interrupted, commandLine: "test --resume")
        #expect(resumed.resumedAfter == 21)
        #expect(resumed.twin == full.twin)
        let (a, b) = (try Recording(path: straight), try Recording(path: interrupted))
        for table in ResumeTests.frameTables + ["handover_event"] {
            #expect(try a.digest(table: table) == b.digest(table: table), "table \(table)")
        }
        let events = try a.handoverEvents()
        #expect(try b.handoverEvents() == events)
        #expect(try a.summary().handoverRows == events.count)  // what `inspect` prints
        // Handovers after frame 21 exist, so the resumed part had to reproduce them.
        #expect(events.contains { $0.from != nil && $0.frameIndex > 21 })
        #expect(events.allSatisfy { $0.frameIndex >= 1 && $0.frameIndex <= 60 })
        let metrics = try #require(try RecordingHandoverMetrics(path: straight))
        #expect(metrics.policy == .predictive)
        #expect(metrics.metrics.handovers == events.count(where: { $0.from != nil }))
        #expect(metrics.metrics.initialAssignments == events.count(where: { $0.from == nil }))
        // 10 movers (4 cars, 6 UAVs) × 6 s.
        #expect(abs(metrics.metrics.targetMinutes - 10 * 6.0 / 60) < 1e-12)
    }

    @Test func withoutHandoverNothingIsRecorded() throws {
        let path = temporaryPath("no-handover.sqlite")
        let file = packageRoot.appendingPathComponent("worlds/tiny.yaml").path
        _ = try Simulation(worldFile: file, options: RunOptions(duration: 1, recordPath: path, commandLine: "test")).run()
        #expect(try Recording(path: path).handoverEvents().isEmpty)
        #expect(try RecordingHandoverMetrics(path: path) == nil)
    }
}

extension HandoverRecordingTests {
    /// Replay feeds the recorded observations (which followed the run's sensing schedule)
    /// through localisation and tracking: the twin is the same, and the handover events are
    /// copied into the replayed recording unchanged.
    @Test func replayCopiesHandoverEvents() throws {
        let original = temporaryPath("handover-original.sqlite")
        let file = packageRoot.appendingPathComponent("worlds/uav-corridor.yaml").path
        let run = try Simulation(worldFile: file, options: RunOptions(duration: 4, recordPath: original, commandLine: "test")).run()
        let copy = temporaryPath("handover-replayed.sqlite")
        let replay = try Replay.run(recording: original, options: ReplayOptions(recordPath: copy, verify: true, commandLine: "test"))
        #expect(replay.firstDifference == nil)
        #expect(replay.twin == run.twin)
        let (a, b) = (try Recording(path: original), try Recording(path: copy))
        #expect(try a.handoverEvents().count > 0)
        for table in ResumeTests.frameTables + ["handover_event"] {
            #expect(try a.digest(table: table) == b.digest(table: table), "table \(table)")
        }
    }
}
