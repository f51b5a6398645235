import Foundation
import TwinLocalization
import TwinMath
import TwinSensing
import TwinStore
import TwinTracking
import TwinWorld

/// Settings of one run beyond the world file.
public struct RunOptions: Sendable {
    /// Overrides `simulation.duration`, s.
    public var duration: Double?
    /// Overrides `simulation.seed`.
    public var seed: UInt64?
    /// Where to write the recording; nil writes none.
    public var recordPath: String?
    /// The command line, stored in the recording.
    public var commandLine: String
    /// Frames per committed transaction.
    public var batchFrames: Int
    /// Overrides `sensing.mode`.
    public var mode: SensingMode?
    /// Overrides `localizer.name`.
    public var localizer: String?
    /// Overrides `tracker.name` (validated like the world file's: a typo is a clear error).
    public var tracker: String?
    /// `--set key.path=value` replacements applied to the world file before decoding.
    public var overrides: [WorldOverride]
    /// Whether the recording keeps every frame's observations and their truth (they dominate
    /// its size: a few hundred rows per frame in monostatic mode, thousands in hybrid).
    public var recordObservations: Bool
    /// Tests only: abandon the run after this many frames, as a kill would (no final commit).
    var stopAfterFrames: Int?
    /// Overrides `sensing.fidelity` for every link class (`--fidelity`).
    public var fidelity: String?

    public init(
        duration: Double? = nil, seed: UInt64? = nil, recordPath: String? = nil,
        commandLine: String = CommandLine.arguments.joined(separator: " "), batchFrames: Int = 50,
        mode: SensingMode? = nil, localizer: String? = nil, tracker: String? = nil, overrides: [WorldOverride] = [],
        recordObservations: Bool = true, fidelity: String? = nil
    ) {
        self.fidelity = fidelity
        self.tracker = tracker
        self.overrides = overrides
        self.mode = mode
        self.localizer = localizer
        self.recordObservations = recordObservations
        self.duration = duration
        self.seed = seed
        self.recordPath = recordPath
        self.commandLine = commandLine
        self.batchFrames = batchFrames
    }
}

/// What a run did, for the summary line.
public struct RunSummary: Sendable {
    public var frames: Int
    /// Frames computed by this invocation (fewer than `frames` after a resume).
    public var framesRun: Int
    /// The frame a resumed run continued after (nil: a fresh run).
    public var resumedAfter: Int?
    public var simulatedSeconds: Double
    public var wallSeconds: Double
    public var moverCounts: [(moverClass: MoverClass, count: Int)]
    public var ueCount: Int
    public var baseStations: Int
    /// Distance travelled per mover class, metres.
    public var distanceByClass: [MoverClass: Double]
    public var recordPath: String?
    public var recordBytes: Int64?
    public var sensingMode: SensingMode
    public var links: Int
    public var sensing: SensingStatistics
    public var localizer: String
    public var localization: LocalizationStatistics
    public var tracker: String
    public var tracking: TrackingStatistics
    /// The twin after the last frame.
    public var twin: TwinState

    public var framesPerSecond: Double { wallSeconds > 0 ? Double(framesRun) / wallSeconds : .infinity }
}

/// The options a recording keeps so that `run --resume` repeats them exactly.
struct StoredRunOptions: Codable, Equatable {
    var duration: Double?
    var seed: UInt64?
    var mode: SensingMode?
    var localizer: String?
    var tracker: String?
    var overrides: [WorldOverride]
    var recordObservations: Bool
    var batchFrames: Int
    var fidelity: String?

    init(_ o: RunOptions) {
        (duration, seed, mode, localizer, tracker, overrides) = (o.duration, o.seed, o.mode, o.localizer, o.tracker, o.overrides)
        (recordObservations, batchFrames) = (o.recordObservations, o.batchFrames)
        fidelity = o.fidelity
    }

    func options(recordPath: String, commandLine: String) -> RunOptions {
        RunOptions(
            duration: duration, seed: seed, recordPath: recordPath, commandLine: commandLine, batchFrames: batchFrames, mode: mode,
            localizer: localizer, tracker: tracker, overrides: overrides, recordObservations: recordObservations, fidelity: fidelity)
    }
}

/// Everything a run needs to continue exactly after a frame: the world's and the sensing
/// chain's mutable state (with their random streams), the twin, and the running statistics.
struct ResumePoint: Codable {
    var frameIndex: Int
    var world: WorldCheckpoint
    var sensing: SensingCheckpoint
    var twin: TwinState
    /// Operator twins and track fusion under a cooperation policy with edge centres.
    var fusion: FusionCheckpoint?
    var localization: LocalizationStatistics
    var tracking: TrackingStatistics
    var distance: [MoverClass: Double]
    var previous: [MoverState]
    /// Serving clusters of the one handover manager (nil: handover off, or one manager per
    /// operator).
    var handover: HandoverState?
    /// Serving clusters of each operator's handover manager (edge cooperation policies).
    var operatorHandover: [HandoverState]?
}

/// Thrown by a run told to stop early (tests of resume): what a kill leaves behind.
struct SimulationInterrupted: Error {
    var frames: Int
}

/// Why a recording cannot be resumed.
public struct ResumeError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot resume: \(reason)" }
}

/// A timed world simulation: steps the world frame by frame and records each frame.
/// Later stages (sensing, localisation, tracking) slot in per frame, see docs/architecture.md.
public struct Simulation {
    public let worldFile: String
    public let worldText: String
    public private(set) var spec: WorldSpec
    public var options: RunOptions
    public let trackerSettings: TrackerSettings

    /// Loads and validates the world file; throws `WorldFileError` for bad input.
    public init(worldFile: String, options: RunOptions) throws {
        let text: String
        do {
            text = try String(contentsOfFile: worldFile, encoding: .utf8)
        } catch {
            let reason =
                FileManager.default.fileExists(atPath: worldFile)
                ? "it exists but is not readable UTF-8 text" : "no such file"
            throw WorldFileError.unreadable(file: worldFile, reason: reason)
        }
        try self.init(worldFile: worldFile, worldText: text, options: options)
    }

    /// A simulation of world-file text (`worldFile` names it in messages and the recording).
    public init(worldFile: String, worldText text: String, options: RunOptions) throws {
        // One BLAS thread: idle OpenBLAS worker threads otherwise spin in sched_yield and
        // take ~15 % of a sensing run on two cores.
        TwinMathRuntime.configure()
        // Shorthands are overrides, validated (and located) like the file's own keys.
        let overrides =
            options.overrides + (options.tracker.map { [WorldOverride(key: "tracker.name", value: $0)] } ?? [])
            + (options.localizer.map { [WorldOverride(key: "localizer.name", value: $0)] } ?? [])
        var spec = try WorldSpec.decode(yaml: text, file: worldFile, overrides: overrides, components: Components.catalogue)
        if let duration = options.duration {
            if let problem = SimulationSpec.checkFrames(dt: spec.simulation.dt, duration: duration) {
                throw WorldFileError.invalid(
                    file: worldFile,
                    problems: [
                        WorldFileProblem(key: "simulation.duration (from --duration)", expected: problem.expected, found: problem.found)
                    ])
            }
            spec.simulation.duration = duration
        }
        if let seed = options.seed { spec.simulation.seed = seed }
        if let fidelity = options.fidelity {
            let known = MeasurementModels.registry.names
            guard known.contains(fidelity) else {
                throw WorldFileError.invalid(
                    file: worldFile,
                    problems: [
                        WorldFileProblem(
                            key: "sensing.fidelity (from --fidelity)", expected: MeasurementModels.registry.expectation,
                            found: "'\(fidelity)'")
                    ])
            }
            spec.sensing.fidelity = .all(fidelity)
            let problems = spec.sensing.waveformProblems(baseStations: spec.baseStations).map {
                WorldFileProblem(key: "\($0.key) (with --fidelity waveform)", expected: $0.expected, found: $0.found)
            }
            if !problems.isEmpty { throw WorldFileError.invalid(file: worldFile, problems: problems) }
        }
        self.worldFile = worldFile
        self.worldText = text
        self.spec = spec
        self.options = options
        self.trackerSettings = spec.tracker
        // The decoder validated every field; a problem here is a bug, reported not crashed.
        _ = try Trackers.make(trackerSettings)
    }

    /// Continues the interrupted run recorded at `path` from its last committed frame, with
    /// the world text and options stored in it, and ends with the same recording and twin as
    /// an uninterrupted run. A run killed before its first commit starts again from frame 0.
    public static func resume(recording path: String, commandLine: String, progress: (Int, Int) -> Void = { _, _ in }) throws
        -> RunSummary
    {
        let recording = try Recording(path: path)
        let summary = try recording.summary()
        guard summary.status == "running" else {
            throw ResumeError(path: path, reason: "the run completed (\(summary.framesWritten) frames); there is nothing to resume")
        }
        guard let stored = summary.metadata.runOptions,
            let options = try? JSONDecoder().decode(StoredRunOptions.self, from: Data(stored.utf8))
        else {
            throw ResumeError(path: path, reason: "it was recorded without run options (by an isac-twin before resume existed)")
        }
        guard summary.metadata.softwareVersion == IsacTwin.version else {
            throw ResumeError(
                path: path,
                reason:
                    "it was written by isac-twin \(summary.metadata.softwareVersion) and this is \(IsacTwin.version); another version may compute different frames, so resume with the version that started it"
            )
        }
        let simulation = try Simulation(
            worldFile: summary.metadata.worldFile, worldText: summary.metadata.worldText,
            options: options.options(recordPath: path, commandLine: commandLine))
        var point: ResumePoint?
        if let (frame, data) = try recording.resumePoint() {
            do {
                point = try CheckpointCoding.decode(ResumePoint.self, from: data)
            } catch {
                throw ResumeError(path: path, reason: "its resume point (frame \(frame)) cannot be read: \(error)")
            }
        }
        return try simulation.run(resumingFrom: point, resuming: true, progress: progress)
    }

    /// Runs every frame. `progress(done, total)` is called after each frame.
    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws -> RunSummary {
        try run(resumingFrom: nil, resuming: false, progress: progress)
    }

    func run(resumingFrom point: ResumePoint?, resuming: Bool, progress: (Int, Int) -> Void) throws -> RunSummary {
        var world = try World(spec: spec, file: worldFile)
        var sensing = SensingEngine(world: spec, movers: world.movers, mode: options.mode)
        var centre = try FusionCentre(spec: spec, links: sensing.links, trackerSettings: trackerSettings, twin: nil, checkpoint: nil)
        var scoring = RunScoring()
        var distance = [MoverClass: Double]()
        var previous = world.moverStates()
        var handover = HandoverStep(world: spec)
        if let point {
            do {
                try world.restore(point.world)
                try sensing.restore(point.sensing)
            } catch {
                throw ResumeError(path: options.recordPath ?? "", reason: "its state does not fit the world: \(error)")
            }
            centre = try FusionCentre(
                spec: spec, links: sensing.links, trackerSettings: trackerSettings, twin: point.twin, checkpoint: point.fusion)
            scoring = RunScoring(localization: point.localization, tracking: point.tracking)
            (distance, previous) = (point.distance, point.previous)
            if var step = handover {
                do {
                    if let states = step.operatorNames == nil ? point.handover.map({ [$0] }) : point.operatorHandover {
                        try step.restore(states)
                    }
                } catch {
                    throw ResumeError(path: options.recordPath ?? "", reason: "its state does not fit the world: \(error)")
                }
                handover = step
            }
        }
        let first = point.map { $0.frameIndex } ?? 0
        let frames = spec.simulation.frameCount
        let dt = spec.simulation.dt
        let writer = try options.recordPath.map { path in
            if resuming {
                return try RecordingWriter(resuming: path, afterFrame: point?.frameIndex, batchFrames: options.batchFrames)
            }
            return try RecordingWriter(
                path: path,
                metadata: SessionMetadata(
                    softwareVersion: IsacTwin.version, commandLine: options.commandLine, worldFile: worldFile,
                    worldText: worldText, seed: spec.simulation.seed, dt: dt, plannedFrames: frames,
                    localizer: spec.localizer.name, tracker: spec.tracker.name,
                    runOptions: String(decoding: try JSONEncoder().encode(StoredRunOptions(options)), as: UTF8.self)),
                world: world, links: sensing.links, batchFrames: options.batchFrames)
        }
        func resumePoint(after frame: Int) throws -> Data {
            // Wall-clock timings stay out: the recording must be the same bit for bit.
            var (localization, tracking) = (scoring.localization, scoring.tracking)
            localization.seconds = 0
            tracking.seconds = 0
            return try CheckpointCoding.encode(
                ResumePoint(
                    frameIndex: frame, world: world.checkpoint(), sensing: sensing.checkpoint(), twin: centre.twin,
                    fusion: centre.checkpoint, localization: localization, tracking: tracking, distance: distance, previous: previous,
                    handover: handover?.operatorNames == nil ? handover?.states.first : nil,
                    operatorHandover: handover?.operatorNames == nil ? nil : handover?.states))
        }
        let clock = ContinuousClock()
        let start = clock.now
        for frame in first..<frames {
            let snapshot = world.step(dt: dt)
            for (id, state) in snapshot.movers.enumerated() {
                distance[world.movers[id].moverClass, default: 0] += state.position.distance(to: previous[id].position)
            }
            previous = snapshot.movers
            let schedule = handover?.schedule(centre: centre, frameIndex: snapshot.frameIndex, time: snapshot.time)
            let (observations, truth) = sensing.observe(snapshot, schedule: schedule)
            let outcome = centre.step(observations, frameIndex: snapshot.frameIndex, time: snapshot.time)
            scoring.observe(outcome, twin: centre.twin, heard: Self.heardTargets(truth, snapshot))
            let twin = TwinFrameRecord(state: centre.twin, report: outcome.report)
            let handovers = handover?.update(centre: centre)
            try writer?.append(
                snapshot, observations: options.recordObservations ? observations : nil,
                truth: options.recordObservations ? truth : nil, localization: outcome.localized, twin: twin, handovers: handovers,
                resume: try resumePoint(after: frame + 1))
            progress(frame + 1, frames)
            if let stop = options.stopAfterFrames, frame + 1 >= stop { throw SimulationInterrupted(frames: frame + 1) }
        }
        try writer?.finish(resume: try resumePoint(after: frames))
        let wall = Self.seconds(clock.now - start)
        let counts = MoverClass.allCases.compactMap { c -> (MoverClass, Int)? in
            let n = world.movers.filter { $0.moverClass == c }.count
            return n > 0 ? (c, n) : nil
        }
        let bytes = options.recordPath.flatMap {
            (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? NSNumber)?.int64Value
        }
        return RunSummary(
            frames: frames, framesRun: frames - first, resumedAfter: point?.frameIndex, simulatedSeconds: Double(frames) * dt,
            wallSeconds: wall, moverCounts: counts,
            ueCount: world.movers.filter(\.carriesUE).count, baseStations: spec.baseStations.count,
            distanceByClass: distance, recordPath: options.recordPath, recordBytes: bytes,
            sensingMode: sensing.spec.mode, links: sensing.links.count, sensing: sensing.statistics,
            localizer: spec.localizer.name, localization: scoring.localization, tracker: spec.tracker.name,
            tracking: scoring.tracking,
            twin: centre.twin)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// True positions of the targets that gave at least one Type II echo this frame: what the
    /// fusion centre and the tracker are scored against.
    static func heardTargets(_ truth: ObservationTruth, _ snapshot: WorldSnapshot) -> [Vec3] {
        Set(truth.labels.compactMap { $0.pathType == .target ? $0.moverId : nil }).sorted().map { snapshot.movers[$0].position }
    }
}
