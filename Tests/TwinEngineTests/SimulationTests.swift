import Foundation
import Testing
import TwinEngine
import TwinLocalization
import TwinTracking
import TwinWorld

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct SimulationTests {
    let tiny = packageRoot.appendingPathComponent("worlds/tiny.yaml").path

    @Test func overridesApply() throws {
        let sim = try Simulation(worldFile: tiny, options: RunOptions(duration: 2, seed: 5))
        #expect(sim.spec.simulation.duration == 2)
        #expect(sim.spec.simulation.seed == 5)
        let summary = try sim.run()
        #expect(summary.frames == 20)
        #expect(abs(summary.simulatedSeconds - 2) < 1e-12)
        #expect(summary.recordPath == nil)
    }

    @Test func distanceTravelledByTheUAVMatchesItsMission() throws {
        // The tiny world's drone flies (5,5,5) → (35,15,5) at 5 m/s: 5 s cover 25 m.
        let summary = try Simulation(worldFile: tiny, options: RunOptions()).run()
        #expect(abs((summary.distanceByClass[.uav] ?? 0) - 25) < 1e-9)
    }

    @Test func progressIsReportedEveryFrame() throws {
        var calls: [Int] = []
        _ = try Simulation(worldFile: tiny, options: RunOptions(duration: 1)).run { done, total in
            calls.append(done)
            #expect(total == 10)
        }
        #expect(calls == Array(1...10))
    }

    @Test func missingWorldFileIsNamed() {
        #expect(throws: WorldFileError.unreadable(file: "/no/such.yaml", reason: "no such file")) {
            try Simulation(worldFile: "/no/such.yaml", options: RunOptions())
        }
    }

    @Test func shippedWorldsAllLoad() throws {
        setenv("ISAC_TWIN_WORLDS", packageRoot.appendingPathComponent("worlds").path, 1)
        let entries = WorldCatalogue.shipped()
        #expect(Set(entries.map(\.name)).isSuperset(of: ["factory", "road", "tiny"]))
        #expect(entries.allSatisfy { $0.isValid }, "\(entries.filter { !$0.isValid }.map(\.description))")
        #expect(WorldCatalogue.resolve("tiny").hasSuffix("worlds/tiny.yaml"))
        #expect(WorldCatalogue.resolve("/no/such.yaml") == "/no/such.yaml")
    }
}

struct FusionCentreRunTests {
    let factory = packageRoot.appendingPathComponent("worlds/factory.yaml").path

    /// Monostatic sensing in the factory gives every heard target a range and a full arrival
    /// direction from several BSs: the default localiser must find nearly all of them, with
    /// centimetre errors (the echoes' range errors are millimetres at these SNRs).
    @Test func factoryMonostaticTargetsAreLocalised() throws {
        let summary = try Simulation(worldFile: factory, options: RunOptions(duration: 2, mode: .monostatic)).run()
        let d = summary.localization.detection
        #expect(summary.localizer == "gauss-newton")
        #expect(summary.localization.frames == 20)
        #expect(d.truths > 200)
        #expect(d.missedDetectionProbability < 0.02, "P_MD \(d.missedDetectionProbability)")
        #expect(d.falseAlarmProbability < 0.02, "P_FA \(d.falseAlarmProbability)")
        #expect((d.rootMeanSquareError ?? .infinity) < 0.05)
        #expect(summary.localization.invalidFrames == 0)
    }

    /// Bistatic TRP–TRP sensing with unsynchronised BS clocks: calibration from the direct
    /// paths, then association across ~150 links with NLOS paths and clutter.
    @Test func factoryBistaticTargetsAreLocalisedAfterCalibration() throws {
        let summary = try Simulation(worldFile: factory, options: RunOptions(duration: 0.5, mode: .trpTrp, localizer: "time-angle"))
            .run()
        let d = summary.localization.detection
        #expect(summary.localizer == "time-angle")
        #expect(d.missedDetectionProbability < 0.05, "P_MD \(d.missedDetectionProbability)")
        #expect(d.falseAlarmProbability < 0.05, "P_FA \(d.falseAlarmProbability)")
        #expect((summary.localization.flagged[.calibrated] ?? 0) > 0)
    }
}

struct TrackingRunTests {
    let factory = packageRoot.appendingPathComponent("worlds/factory.yaml").path

    /// The twin on factory.yaml (monostatic, gnn-cv): after the first half second every heard
    /// target has a confirmed track within 1 m nearly always, almost no track is false, and no
    /// localisation is refused or filter fails.
    @Test func factoryTargetsAreTracked() throws {
        let summary = try Simulation(worldFile: factory, options: RunOptions(duration: 10, mode: .monostatic)).run()
        let t = summary.tracking
        #expect(summary.tracker == "gnn-cv")
        #expect(t.frames == 100)
        // M-of-N confirmation misses each target for its first 2 frames: 17 × 2 of ~1,700.
        #expect(t.detection.missedDetectionProbability < 0.04, "P_MD \(t.detection.missedDetectionProbability)")
        #expect(t.detection.falseAlarmProbability < 0.02, "P_FA \(t.detection.falseAlarmProbability)")
        #expect((t.detection.rootMeanSquareError ?? .infinity) < 0.1)
        #expect(t.rejected == 0 && t.numericalFailures == 0)
        #expect(summary.twin.confirmedTracks.count >= 15)
        #expect(Set(summary.twin.tracks.map(\.id)).count == summary.twin.tracks.count)
    }

    /// Measurement-level EKF on the raw ranges and angles (trp-trp, calibrated clocks) keeps
    /// the targets as well as the position-level filter.
    @Test func rawMeasurementTrackingWorksOnBistaticEchoes() throws {
        let summary = try Simulation(
            worldFile: factory,
            options: RunOptions(
                duration: 2, mode: .trpTrp, localizer: "time-angle", overrides: [WorldOverride(key: "tracker.measurement", value: "raw")])
        ).run()
        let t = summary.tracking
        #expect(t.detection.missedDetectionProbability < 0.2, "P_MD \(t.detection.missedDetectionProbability)")
        #expect(t.detection.falseAlarmProbability < 0.1, "P_FA \(t.detection.falseAlarmProbability)")
        #expect(t.numericalFailures == 0)
        // The raw path really ran: the same run with position updates ends in another twin
        // (same tracks, different estimates), within centimetres of it.
        let position = try Simulation(worldFile: factory, options: RunOptions(duration: 2, mode: .trpTrp, localizer: "time-angle")).run()
        #expect(position.twin.tracks.map(\.id) == summary.twin.tracks.map(\.id))
        #expect(position.twin != summary.twin)
        for (a, b) in zip(position.twin.tracks, summary.twin.tracks) { #expect(a.position.distance(to: b.position) < 0.05) }
    }

    /// `--tracker NAME` picks the registered tracker, composed of the documented roles.
    @Test func trackerNamesComposeTheirRoles() throws {
        func tracker(_ name: String) throws -> MultiTargetTracker {
            let settings = try Simulation(worldFile: factory, options: RunOptions(tracker: name)).trackerSettings
            return try #require(try Trackers.make(settings) as? MultiTargetTracker)
        }
        func models(_ name: String) throws -> [MotionModel] {
            try #require(try tracker(name).predictor as? IMMPredictor).models.map(\.model)
        }
        #expect(try models("gnn-imm") == [.constantVelocity, .constantTurn])
        #expect(try models("jpda-ca") == [.constantAcceleration])
        #expect(try tracker("jpda-ca").associator is JPDAAssociator)
        #expect(try tracker("gnn-ct").associator is GNNAssociator)
        #expect(try models("gnn-ct") == [.constantTurn])
        #expect(throws: WorldFileError.self) { try tracker("kalman") }
    }
}
