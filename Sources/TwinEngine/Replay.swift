import Foundation
import TwinLocalization
import TwinMath
import TwinSensing
import TwinStore
import TwinTracking
import TwinWorld

/// What `replay` should change from the recorded run.
public struct ReplayOptions: Sendable {
    /// Another localiser (nil: the recorded one).
    public var localizer: String?
    /// Another tracker name (nil: the recorded one).
    public var tracker: String?
    /// Further `--set` replacements (after the recorded ones).
    public var overrides: [WorldOverride]
    /// Where to write the replayed session as a new recording (nil: none).
    public var recordPath: String?
    /// Compare every frame's localisations and twin with the recording.
    public var verify: Bool
    public var commandLine: String

    public init(
        localizer: String? = nil, tracker: String? = nil, overrides: [WorldOverride] = [], recordPath: String? = nil,
        verify: Bool = false, commandLine: String = CommandLine.arguments.joined(separator: " ")
    ) {
        (self.localizer, self.tracker, self.overrides, self.recordPath, self.verify, self.commandLine) =
            (localizer, tracker, overrides, recordPath, verify, commandLine)
    }
}

/// What a replay did.
public struct ReplaySummary: Sendable {
    public var frames: Int
    public var wallSeconds: Double
    public var localizer: String
    public var tracker: String
    public var localization: LocalizationStatistics
    public var tracking: TrackingStatistics
    public var twin: TwinState
    /// With `verify`: nil when every frame matched the recording, else the first difference.
    public var firstDifference: String?
    public var recordPath: String?
    /// Whether the recorded localisations were reused (only the tracker changed).
    public var reusedLocalizations: Bool

    public var framesPerSecond: Double { wallSeconds > 0 ? Double(frames) / wallSeconds : .infinity }
}

/// Why a recording cannot be replayed.
public struct ReplayError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot replay: \(reason)" }
}

/// Re-runs the fusion centre and the tracker on a recording's observations, skipping the
/// world and the sensing chain: the same `FusionCentre.step`, `DetectionBuilder` and
/// `MultiTargetTracker` code as the run, so with the recorded settings the localisations and
/// the twin come out identical (bit for bit; `verify` checks every frame).
public enum Replay {
    public static func run(recording path: String, options: ReplayOptions, progress: (Int, Int) -> Void = { _, _ in }) throws
        -> ReplaySummary
    {
        let recording = try Recording(path: path)
        let summary = try recording.summary()
        guard summary.observationRows > 0 else {
            throw ReplayError(path: path, reason: "it holds no observations (recorded with --no-observations or no sensing)")
        }
        var stored = StoredRunOptions(RunOptions())
        if let text = summary.metadata.runOptions {
            guard let decoded = try? JSONDecoder().decode(StoredRunOptions.self, from: Data(text.utf8)) else {
                throw ReplayError(path: path, reason: "its run options cannot be read")
            }
            stored = decoded
        }
        let recordedLocalizer = try Simulation(
            worldFile: summary.metadata.worldFile, worldText: summary.metadata.worldText,
            options: stored.options(recordPath: "", commandLine: "")
        ).spec.localizer
        if let l = options.localizer { stored.localizer = l }
        if let t = options.tracker { stored.tracker = t }
        stored.overrides += options.overrides
        stored.duration = Double(summary.metadata.plannedFrames) * summary.metadata.dt
        let simulation = try Simulation(
            worldFile: summary.metadata.worldFile, worldText: summary.metadata.worldText,
            options: stored.options(recordPath: options.recordPath ?? "", commandLine: options.commandLine))
        let spec = simulation.spec
        let world = try World(spec: spec, file: summary.metadata.worldFile)
        let sensing = SensingEngine(world: spec, movers: world.movers, mode: stored.mode)
        var centre = try FusionCentre(
            spec: spec, links: sensing.links, trackerSettings: simulation.trackerSettings, twin: nil, checkpoint: nil)
        let raw = try Trackers.make(simulation.trackerSettings).usesRawMeasurements
        // A replay that changes only the tracker (position updates) reuses the recorded
        // localisations instead of recomputing them; --verify always recomputes.
        // Anything else set on the command line (base stations, UE GNSS, …) may change the
        // localisations, so only `tracker.*` replacements allow the reuse.
        let reuse =
            !options.verify && !raw && spec.cooperation == nil && spec.localizer == recordedLocalizer && summary.localizationRows > 0
            && options.overrides.allSatisfy { $0.key.hasPrefix("tracker.") }
        let writer = try options.recordPath.map { out in
            guard URL(fileURLWithPath: out).standardized.path != URL(fileURLWithPath: path).standardized.path else {
                throw ReplayError(path: path, reason: "--record must name another file than the recording replayed")
            }
            return try RecordingWriter(
                path: out,
                metadata: SessionMetadata(
                    softwareVersion: IsacTwin.version, commandLine: options.commandLine, worldFile: summary.metadata.worldFile,
                    worldText: summary.metadata.worldText, seed: spec.simulation.seed, dt: summary.metadata.dt,
                    plannedFrames: summary.metadata.plannedFrames, localizer: spec.localizer.name, tracker: spec.tracker.name,
                    runOptions: String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)),
                world: world, links: sensing.links, batchFrames: stored.batchFrames)
        }
        var scoring = RunScoring()
        var firstDifference: String?
        let frames = try recording.frameIndices()
        // Handover events are copied, not recomputed: the recorded observations already
        // followed the original run's sensing schedule (track ids are the original twin's).
        let handovers = Dictionary(grouping: try recording.handoverEvents(), by: \.frameIndex)
        let clock = ContinuousClock()
        let start = clock.now
        for (k, f) in frames.enumerated() {
            let stored = reuse ? try recording.localizationResult(frame: f) : nil
            // A frame without a stored result (a damaged file) is localised from its observations.
            let full = stored == nil || writer != nil
            let recorded = try recording.recordedFrame(f, moverCount: world.movers.count, measurements: full)
            let heard =
                full
                ? Simulation.heardTargets(recorded.labels, recorded.snapshot)
                : try recording.heardMovers(frame: f).filter { $0 < world.movers.count }.map { recorded.snapshot.movers[$0].position }
            let outcome = centre.step(recorded.observations, stored: stored, frameIndex: f, time: recorded.snapshot.time)
            scoring.observe(outcome, twin: centre.twin, heard: heard)
            let (localized, report) = (outcome.localized, outcome.report)
            if options.verify && firstDifference == nil {
                firstDifference = try difference(frame: f, localized: localized, twin: centre.twin, recording: recording)
            }
            try writer?.append(
                recorded.snapshot, observations: recorded.observations, truth: recorded.labels, localization: localized,
                twin: TwinFrameRecord(state: centre.twin, report: report), handovers: handovers[f])
            progress(k + 1, frames.count)
        }
        try writer?.finish()
        return ReplaySummary(
            frames: frames.count, wallSeconds: Simulation.seconds(clock.now - start), localizer: spec.localizer.name,
            tracker: spec.tracker.name, localization: scoring.localization, tracking: scoring.tracking, twin: centre.twin,
            firstDifference: firstDifference, recordPath: options.recordPath, reusedLocalizations: reuse)
    }

    /// The first way a replayed frame differs from the recording, or nil.
    static func difference(frame f: Int, localized: LocalizationResult, twin: TwinState, recording: Recording) throws -> String? {
        let stored = try recording.localizations(frame: f)
        if stored.count != localized.localizations.count {
            return "frame \(f): \(localized.localizations.count) localisations, recorded \(stored.count)"
        }
        for (i, (a, b)) in zip(localized.localizations, stored).enumerated() {
            if a.position != b.position || a.covariance != b.covariance {
                return
                    "frame \(f): localisation \(i) at (\(a.position.x), \(a.position.y), \(a.position.z)), recorded (\(b.position.x), \(b.position.y), \(b.position.z))"
            }
            if a.residual != b.residual || a.degreesOfFreedom != b.degreesOfFreedom || a.flags != b.flags || a.links != b.links {
                return "frame \(f): localisation \(i) fit (residual, dof, flags or links) differs from the recording"
            }
        }
        guard let recorded = try recording.twin(frame: f) else { return "frame \(f): the recording has no twin" }
        if recorded.tracks.count != twin.tracks.count {
            return "frame \(f): \(twin.tracks.count) tracks, recorded \(recorded.tracks.count)"
        }
        for (t, r) in zip(twin.tracks, recorded.tracks) {
            let e = t.estimate
            if t.id != r.id || t.status != r.status {
                return "frame \(f): track \(t.id) (\(t.status.rawValue)), recorded track \(r.id) (\(r.status.rawValue))"
            }
            func text(_ v: Vec3) -> String { "(\(v.x), \(v.y), \(v.z))" }
            if e.mean.position != r.position {
                return "frame \(f): track \(t.id) at \(text(e.mean.position)), recorded \(text(r.position))"
            }
            if e.mean.velocity != r.velocity {
                return "frame \(f): track \(t.id) velocity \(text(e.mean.velocity)), recorded \(text(r.velocity))"
            }
            if e.covariance.positionBlock != r.positionCovariance {
                return "frame \(f): track \(t.id) position covariance differs from the recording"
            }
            if t.age != r.age || t.hits != r.hits || t.misses != r.misses {
                return "frame \(f): track \(t.id) counters (age, hits, misses) differ from the recording"
            }
        }
        return nil
    }
}
