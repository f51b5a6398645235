import Foundation
import GRDB
import Testing
import TwinLocalization
import TwinMath
import TwinSensing
import TwinStore
import TwinWorld

@testable import TwinEngine

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func temporaryPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isac-twin-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}

func record(world: String, seed: UInt64? = nil, duration: Double? = nil, to path: String) throws -> RunSummary {
    let file = packageRoot.appendingPathComponent("worlds/\(world).yaml").path
    let sim = try Simulation(
        worldFile: file, options: RunOptions(duration: duration, seed: seed, recordPath: path, commandLine: "test", batchFrames: 7))
    return try sim.run()
}

struct RecordingTests {
    @Test func recordingHoldsEveryFrameAndTheSession() throws {
        let path = temporaryPath("tiny.sqlite")
        let summary = try record(world: "tiny", to: path)
        let s = try Recording(path: path).summary()
        #expect(s.status == "completed")
        #expect(s.framesWritten == 50 && summary.frames == 50)
        #expect(s.truthRows == 50 * 3)
        #expect(s.ueReportRows == 50)  // one person carries a UE
        #expect(s.metadata.seed == 1)
        #expect(s.metadata.worldText.contains("Tiny 40 x 20 m hall"))
        #expect(s.metadata.commandLine == "test")
        #expect(s.firstTime == 0.1)
        #expect(abs((s.lastTime ?? 0) - 5.0) < 1e-12)
        #expect(
            s.schemaVersions == [
                "v1", "v2-sensing", "v3-localization", "v4-tracking", "v5-handover", "v6-handover-operator", "v7-ris-panel",
            ])
        // No WAL left beside a finished recording: one self-contained file.
        let walBytes = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(walBytes == 0)
    }

    @Test func truthMatchesTheWorldStepByStep() throws {
        let path = temporaryPath("tiny.sqlite")
        _ = try record(world: "tiny", to: path)
        var world = try World(spec: try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/tiny.yaml").path))
        var expected: [MoverState] = []
        for _ in 0..<17 { expected = world.step(dt: 0.1).movers }
        #expect(try Recording(path: path).truth(frame: 17) == expected)
    }

    @Test func sameSeedSameDigestOtherSeedDiffers() throws {
        let a = temporaryPath("a.sqlite"), b = temporaryPath("b.sqlite"), c = temporaryPath("c.sqlite")
        _ = try record(world: "factory", duration: 10, to: a)
        _ = try record(world: "factory", duration: 10, to: b)
        _ = try record(world: "factory", seed: 99, duration: 10, to: c)
        for table in [
            "truth", "ue_report", "ue_truth", "frame", "mover", "observation", "observation_truth", "localization", "localization_frame",
            "track", "track_event", "twin_frame",
        ] {
            #expect(try Recording(path: a).digest(table: table) == (try Recording(path: b).digest(table: table)))
        }
        // The resume point is deterministic too (no wall-clock time, sorted keys).
        #expect(try Recording(path: a).resumePoint()?.state == (try Recording(path: b).resumePoint()?.state))
        #expect(try Recording(path: a).digest(table: "track") != (try Recording(path: c).digest(table: "track")))
        #expect(try Recording(path: a).digest(table: "truth") != (try Recording(path: c).digest(table: "truth")))
        #expect(try Recording(path: a).digest(table: "mover") == (try Recording(path: c).digest(table: "mover")))
    }

    @Test func anUnfinishedWriterLeavesTheCommittedFramesReadable() throws {
        let path = temporaryPath("cut.sqlite")
        let spec = try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/tiny.yaml").path)
        var world = try World(spec: spec)
        do {
            let writer = try RecordingWriter(
                path: path,
                metadata: SessionMetadata(
                    softwareVersion: "t", commandLine: "t", worldFile: "tiny", worldText: "", seed: 1, dt: 0.1, plannedFrames: 50),
                world: world, batchFrames: 10)
            for _ in 0..<25 { try writer.append(world.step(dt: 0.1)) }
            // No finish(): the writer goes away as in a crash; 5 frames were never committed.
        }
        let s = try Recording(path: path).summary()
        #expect(s.status == "running")
        #expect(s.framesWritten == 20)
        #expect(s.truthRows == 20 * 3)
    }

    @Test func notARecordingIsAClearError() throws {
        #expect(throws: RecordingError.notFound(path: "/nonexistent.sqlite")) { try Recording(path: "/nonexistent.sqlite") }
        let text = temporaryPath("text.sqlite")
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        #expect {
            try Recording(path: text)
        } throws: { error in
            guard case RecordingError.notARecording(let p, _)? = error as? RecordingError else { return false }
            return p == text
        }
        let other = temporaryPath("other.sqlite")
        let db = try DatabaseQueue(path: other)
        try db.write { try $0.execute(sql: "CREATE TABLE t (x)") }
        try db.close()
        #expect(throws: RecordingError.notARecording(path: other, reason: "it has no session and truth tables")) {
            try Recording(path: other)
        }
    }

    @Test func aNewerSchemaIsRefused() throws {
        let path = temporaryPath("newer.sqlite")
        _ = try record(world: "tiny", to: path)
        let db = try DatabaseQueue(path: path)
        try db.write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99')") }
        try db.close()
        #expect(throws: RecordingError.newerSchema(path: path, unknown: ["v99"])) { try Recording(path: path) }
    }
}

struct LocalizationRecordingTests {
    /// The stored localisations are what the localiser gives on the same frame, recomputed
    /// here from a fresh world and sensing engine.
    @Test func localizationsAreStoredPerFrameAsComputed() throws {
        let path = temporaryPath("factory.sqlite")
        let file = packageRoot.appendingPathComponent("worlds/factory.yaml").path
        let summary = try Simulation(
            worldFile: file, options: RunOptions(duration: 1, recordPath: path, commandLine: "test", mode: .monostatic)
        ).run()
        let recording = try Recording(path: path)
        let s = try recording.summary()
        #expect(s.metadata.localizer == "gauss-newton")
        #expect(s.localizationRows == summary.localization.detection.reported)

        let spec = try WorldSpec.load(path: file)
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers, mode: .monostatic)
        let localizer = Localizers.make("gauss-newton", LocalizerSettings(spec.localizer))!
        let stations = spec.baseStations.map { (name: $0.name, position: $0.position) }
        for _ in 0..<7 {
            let snapshot = world.step(dt: spec.simulation.dt)
            let (frame, _) = sensing.observe(snapshot)
            let problem = LocalizationProblem(
                frame: frame, links: sensing.links, baseStations: stations,
                ueReportVariance: spec.ue.gnssSigmaHorizontal * spec.ue.gnssSigmaHorizontal)
            let expected = try localizer.localize(problem).localizations
            let stored = try recording.localizations(frame: snapshot.frameIndex)
            #expect(stored.count == expected.count)
            for (a, b) in zip(stored, expected) {
                #expect(a.position == b.position)
                #expect(a.covariance == b.covariance)
                #expect(a.links == b.links && a.flags == b.flags && a.degreesOfFreedom == b.degreesOfFreedom)
            }
        }
    }

    @Test func theLocalizerOverrideIsRecorded() throws {
        let path = temporaryPath("tiny.sqlite")
        let file = packageRoot.appendingPathComponent("worlds/tiny.yaml").path
        _ = try Simulation(
            worldFile: file, options: RunOptions(duration: 0.5, recordPath: path, commandLine: "test", localizer: "time-angle")
        ).run()
        #expect(try Recording(path: path).summary().metadata.localizer == "time-angle")
    }
}

/// Resume after an interruption: the recording and the twin end exactly as without one.
struct ResumeTests {
    static let frameTables = [
        "frame", "truth", "ue_report", "ue_truth", "observation", "observation_truth", "localization", "localization_frame", "track",
        "track_event", "twin_frame",
    ]

    func digests(_ path: String) throws -> [String: UInt64] {
        let r = try Recording(path: path)
        return Dictionary(uniqueKeysWithValues: try Self.frameTables.map { ($0, try r.digest(table: $0)) })
    }

    /// Interrupted after `stop` frames (batches of 7: the last partial batch is lost, as in a
    /// kill), resumed, and compared table by table, twin by twin, with a straight run. Covers
    /// a stop before the first commit (resume starts again) and the IMM/JPDA tracker.
    @Test(arguments: [
        (stop: 23, tracker: "gnn-cv", mode: "monostatic"), (stop: 5, tracker: "gnn-cv", mode: "monostatic"),
        (stop: 40, tracker: "jpda-imm", mode: "trp-ue"),
    ])
    func resumedRunEqualsUninterruptedRun(stop: Int, tracker: String, mode: String) throws {
        let file = packageRoot.appendingPathComponent("worlds/factory.yaml").path
        let sensing = try #require(SensingMode(rawValue: mode))
        func options(_ path: String) -> RunOptions {
            RunOptions(duration: 6, recordPath: path, commandLine: "test", batchFrames: 7, mode: sensing, tracker: tracker)
        }
        let straight = temporaryPath("straight.sqlite")
        let full = try Simulation(worldFile: file, options: options(straight)).run()

        let interrupted = temporaryPath("interrupted.sqlite")
        var o = options(interrupted)
        o.stopAfterFrames = stop
        #expect(throws: SimulationInterrupted.self) { try Simulation(worldFile: file, options: o).run() }
        let before = try Recording(path: interrupted).summary()
        #expect(before.status == "running")
        #expect(before.framesWritten == stop / 7 * 7)
        #expect(before.resumeFrame == (stop >= 7 ? stop / 7 * 7 : nil))

        let resumed = try Simulation.resume(recording: interrupted, commandLine: "test --resume")
        #expect(resumed.resumedAfter == (stop >= 7 ? stop / 7 * 7 : nil))
        #expect(resumed.framesRun == 60 - stop / 7 * 7)
        #expect(resumed.twin == full.twin)
        #expect(resumed.tracking.detection == full.tracking.detection)
        #expect(resumed.localization.detection == full.localization.detection)
        #expect(try digests(interrupted) == digests(straight))
        #expect(try Recording(path: interrupted).resumePoint()?.state == Recording(path: straight).resumePoint()?.state)
        let after = try Recording(path: interrupted).summary()
        #expect(after.status == "completed" && after.framesWritten == 60)
        #expect(full.twin.confirmedTracks.count >= 5)
    }

    @Test func completedRunsAndOldRecordingsAreNotResumed() throws {
        let path = temporaryPath("done.sqlite")
        _ = try record(world: "tiny", duration: 1, to: path)
        #expect(throws: ResumeError.self) { try Simulation.resume(recording: path, commandLine: "test") }
        #expect(throws: RecordingError.self) { try Simulation.resume(recording: temporaryPath("missing.sqlite"), commandLine: "test") }
        // A recording written before resume existed (no run options) or by another version.
        for (column, value) in [("runOptions", "NULL"), ("softwareVersion", "'0.0.1'")] {
            let old = temporaryPath("old.sqlite")
            var o = RunOptions(duration: 2, recordPath: old, commandLine: "test")
            o.stopAfterFrames = 12
            #expect(throws: SimulationInterrupted.self) {
                try Simulation(worldFile: packageRoot.appendingPathComponent("worlds/tiny.yaml").path, options: o).run()
            }
            let db = try DatabaseQueue(path: old)
            try db.write { try $0.execute(sql: "UPDATE session SET \(column) = \(value)") }
            try db.close()
            do {
                _ = try Simulation.resume(recording: old, commandLine: "test")
                Issue.record("\(column) = \(value) must not resume")
            } catch let error as ResumeError {
                #expect(error.description.contains(column == "runOptions" ? "without run options" : "written by isac-twin 0.0.1"))
            }
        }
    }

    /// The twin stored for a frame is the tracker's state then: ids, statuses and estimates.
    @Test func storedTwinMatchesTheTracker() throws {
        let path = temporaryPath("twin.sqlite")
        let summary = try record(world: "factory", duration: 3, to: path)
        let r = try Recording(path: path)
        let last = try #require(try r.twinFrame(atOrBefore: nil))
        #expect(last == 30)
        let twin = try #require(try r.twin(frame: last))
        #expect(twin.tracks.map(\.id) == summary.twin.tracks.map(\.id))
        for (row, track) in zip(twin.tracks, summary.twin.tracks) {
            #expect(row.position == track.estimate.mean.position)
            #expect(row.velocity == track.estimate.mean.velocity)
            #expect(row.status == track.status)
            #expect(row.hits == track.hits && row.age == track.age)
        }
        #expect(try r.twinFrame(atOrBefore: 1.05) == 10)
        #expect(try r.twinFrame(atOrBefore: 0.05) == nil)
    }
}

/// Replay: the fusion centre and tracker on recorded observations.
struct ReplayTests {
    /// With the recorded settings replay reproduces every localisation and the twin (verify
    /// finds no difference), and its recording equals the original table by table.
    @Test func replayWithTheRecordedSettingsReproducesTheRun() throws {
        let original = temporaryPath("original.sqlite")
        let file = packageRoot.appendingPathComponent("worlds/factory.yaml").path
        let run = try Simulation(
            worldFile: file, options: RunOptions(duration: 3, recordPath: original, commandLine: "test", mode: .trpUE, tracker: "jpda-imm")
        ).run()
        let copy = temporaryPath("replayed.sqlite")
        let replay = try Replay.run(recording: original, options: ReplayOptions(recordPath: copy, verify: true, commandLine: "test"))
        #expect(replay.firstDifference == nil)
        #expect(replay.frames == 30)
        #expect(replay.tracker == "jpda-imm")
        #expect(replay.twin == run.twin)
        #expect(replay.localization.detection == run.localization.detection)
        #expect(replay.tracking.detection == run.tracking.detection)
        let (a, b) = (try Recording(path: original), try Recording(path: copy))
        for table in ResumeTests.frameTables {
            #expect(try a.digest(table: table) == b.digest(table: table), "table \(table)")
        }
        // Without --verify and with the recorded localiser, replay reuses the stored
        // localisations (no observations read): the same scores and the same twin.
        let fast = try Replay.run(recording: original, options: ReplayOptions(commandLine: "test"))
        #expect(fast.twin == run.twin)
        #expect(fast.localization.detection == run.localization.detection)
        #expect(fast.tracking.detection == run.tracking.detection)
        #expect(fast.localization.seconds == 0)  // nothing was localised
        #expect(fast.reusedLocalizations)
        // A tracker-only --set keeps the reuse; any other key localises again.
        let tuned = try Replay.run(
            recording: original,
            options: ReplayOptions(overrides: [WorldOverride(key: "tracker.processNoise", value: "3")], commandLine: "test"))
        #expect(tuned.reusedLocalizations && tuned.twin != run.twin)
        let gnss = try Replay.run(
            recording: original,
            options: ReplayOptions(overrides: [WorldOverride(key: "ue.gnss.sigmaHorizontal", value: "3")], commandLine: "test"))
        #expect(!gnss.reusedLocalizations)
        #expect(gnss.localization.seconds > 0)
    }

    /// Another tracker gives another twin, and verify names the first difference.
    @Test func replayWithAnotherTrackerDiffersAndVerifySaysWhere() throws {
        let original = temporaryPath("original.sqlite")
        _ = try record(world: "factory", duration: 2, to: original)
        let other = try Replay.run(recording: original, options: ReplayOptions(tracker: "gnn-imm", verify: true, commandLine: "test"))
        #expect(other.tracker == "gnn-imm")
        let difference = try #require(other.firstDifference)
        #expect(difference.hasPrefix("frame 2: track 1 "))
        let same = try Replay.run(recording: original, options: ReplayOptions(localizer: "gauss-newton", verify: true, commandLine: "test"))
        #expect(same.firstDifference == nil)
        #expect(throws: ReplayError.self) {
            try Replay.run(recording: original, options: ReplayOptions(recordPath: original, commandLine: "test"))
        }
        let bare = temporaryPath("bare.sqlite")
        _ = try Simulation(
            worldFile: packageRoot.appendingPathComponent("worlds/tiny.yaml").path,
            options: RunOptions(recordPath: bare, commandLine: "test", recordObservations: false)
        ).run()
        #expect(throws: ReplayError.self) { try Replay.run(recording: bare, options: ReplayOptions(commandLine: "test")) }
    }
}

/// The infrastructure breakdown of the raw localisations partitions them: its groups add up
/// to the raw detection counts, and each label names the tiers and operators of road.yaml.
struct InfrastructureBreakdownTests {
    @Test func groupsPartitionTheRawLocalisations() throws {
        let path = temporaryPath("road.sqlite")
        _ = try record(world: "road", duration: 2, to: path)
        let m = try RecordingMetrics(path: path)
        #expect(m.infrastructure.count >= 2)
        #expect(m.infrastructure.reduce(0) { $0 + $1.reported } == m.raw.detection.reported)
        #expect(m.infrastructure.reduce(0) { $0 + $1.correct } == m.raw.detection.correct)
        let allowed: Set<String> = ["macro/op-a", "macro/op-b", "micro/op-a", "micro/op-b", "ue"]
        for g in m.infrastructure {
            let parts = g.label.components(separatedBy: " + ")
            #expect(Set(parts).isSubset(of: allowed), "\(g.label)")
            #expect(parts == parts.sorted())
        }
        let squared = m.infrastructure.reduce(0) { $0 + $1.squaredErrorSum }
        let rmse = try #require(m.raw.detection.rootMeanSquareError)
        #expect(abs((squared / Double(m.raw.detection.correct)).squareRoot() - rmse) < 1e-9 * rmse)
    }
}
