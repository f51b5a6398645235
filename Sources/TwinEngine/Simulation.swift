import Foundation
import TwinLocalization
import TwinMath
import TwinSensing
import TwinStore
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
    public var localizer: LocalizerKind?
    /// Whether the recording keeps every frame's observations and their truth (they dominate
    /// its size: a few hundred rows per frame in monostatic mode, thousands in hybrid).
    public var recordObservations: Bool

    public init(
        duration: Double? = nil, seed: UInt64? = nil, recordPath: String? = nil,
        commandLine: String = CommandLine.arguments.joined(separator: " "), batchFrames: Int = 50,
        mode: SensingMode? = nil, localizer: LocalizerKind? = nil, recordObservations: Bool = true
    ) {
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
    public var localizer: LocalizerKind
    public var localization: LocalizationStatistics

    public var framesPerSecond: Double { wallSeconds > 0 ? Double(frames) / wallSeconds : .infinity }
}

/// A timed world simulation: steps the world frame by frame and records each frame.
/// Later stages (sensing, localisation, tracking) slot in per frame, see ARCHITECTURE.md.
public struct Simulation {
    public let worldFile: String
    public let worldText: String
    public private(set) var spec: WorldSpec
    public var options: RunOptions

    /// Loads and validates the world file; throws `WorldFileError` for bad input.
    public init(worldFile: String, options: RunOptions) throws {
        // One BLAS thread: idle OpenBLAS worker threads otherwise spin in sched_yield and
        // take ~15 % of a sensing run on two cores.
        TwinMathRuntime.configure()
        let text: String
        do {
            text = try String(contentsOfFile: worldFile, encoding: .utf8)
        } catch {
            let reason =
                FileManager.default.fileExists(atPath: worldFile)
                ? "it exists but is not readable UTF-8 text" : "no such file"
            throw WorldFileError.unreadable(file: worldFile, reason: reason)
        }
        var spec = try WorldSpec.decode(yaml: text, file: worldFile)
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
        if let localizer = options.localizer { spec.localizer.kind = localizer }
        self.worldFile = worldFile
        self.worldText = text
        self.spec = spec
        self.options = options
    }

    /// Runs every frame. `progress(done, total)` is called after each frame.
    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws -> RunSummary {
        var world = try World(spec: spec, file: worldFile)
        var sensing = SensingEngine(world: spec, movers: world.movers, mode: options.mode)
        let frames = spec.simulation.frameCount
        let dt = spec.simulation.dt
        let writer = try options.recordPath.map {
            try RecordingWriter(
                path: $0,
                metadata: SessionMetadata(
                    softwareVersion: IsacTwin.version, commandLine: options.commandLine, worldFile: worldFile,
                    worldText: worldText, seed: spec.simulation.seed, dt: dt, plannedFrames: frames,
                    localizer: spec.localizer.kind.rawValue),
                world: world, links: sensing.links, batchFrames: options.batchFrames)
        }
        let localizer = spec.localizer.kind.make(LocalizerSettings(spec.localizer))
        let stations = spec.baseStations.map { (name: $0.name, position: $0.position) }
        let ueSigma = spec.localizer.ueReportSigma ?? spec.ue.gnssSigmaHorizontal
        var localization = LocalizationStatistics()
        var distance = [MoverClass: Double]()
        var previous = world.moverStates()
        let clock = ContinuousClock()
        let start = clock.now
        for frame in 0..<frames {
            let snapshot = world.step(dt: dt)
            for (id, state) in snapshot.movers.enumerated() {
                distance[world.movers[id].moverClass, default: 0] += state.position.distance(to: previous[id].position)
            }
            previous = snapshot.movers
            let (observations, truth) = sensing.observe(snapshot)
            let localized = Self.localize(
                observations, truth: truth, snapshot: snapshot, localizer: localizer, links: sensing.links, stations: stations,
                ueReportVariance: ueSigma * ueSigma, statistics: &localization)
            if options.recordObservations {
                try writer?.append(snapshot, observations: observations, truth: truth, localization: localized)
            } else {
                try writer?.append(snapshot, localization: localized)
            }
            progress(frame + 1, frames)
        }
        try writer?.finish()
        let elapsed = clock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let counts = MoverClass.allCases.compactMap { c -> (MoverClass, Int)? in
            let n = world.movers.filter { $0.moverClass == c }.count
            return n > 0 ? (c, n) : nil
        }
        let bytes = options.recordPath.flatMap {
            (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? NSNumber)?.int64Value
        }
        return RunSummary(
            frames: frames, simulatedSeconds: Double(frames) * dt, wallSeconds: wall, moverCounts: counts,
            ueCount: world.movers.filter(\.carriesUE).count, baseStations: spec.baseStations.count,
            distanceByClass: distance, recordPath: options.recordPath, recordBytes: bytes,
            sensingMode: sensing.spec.mode, links: sensing.links.count, sensing: sensing.statistics,
            localizer: spec.localizer.kind, localization: localization)
    }

    /// The fusion centre's step of one frame: the frame's problem (after calibration), the
    /// localiser's answer and its score against the targets that were heard. A problem that
    /// fails validation (it cannot, from the simulator; counted if it ever does) gives an
    /// empty result, so a bad frame never stops the run or reaches the recording as NaN.
    static func localize(
        _ observations: FrameObservations, truth: ObservationTruth, snapshot: WorldSnapshot, localizer: any Localizer,
        links: [SensingLink], stations: [(name: String, position: Vec3)], ueReportVariance: Double,
        statistics: inout LocalizationStatistics
    ) -> LocalizationResult {
        let heard = Set(truth.labels.compactMap { $0.pathType == .target ? $0.moverId : nil }).sorted()
        let truths = heard.map { snapshot.movers[$0].position }
        let clock = ContinuousClock()
        let start = clock.now
        defer {
            let d = clock.now - start
            statistics.seconds += Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        let problem = LocalizationProblem(
            frame: observations, links: links, baseStations: stations, ueReportVariance: ueReportVariance)
        do {
            let result = try localizer.localize(problem)
            let finite = LocalizationResult(
                localizations: result.localizations.filter(\.isFinite),
                rejected: result.rejected + result.localizations.count(where: { !$0.isFinite }))
            statistics.add(finite, truths: truths)
            return finite
        } catch {
            statistics.addInvalid(truths: truths)
            return LocalizationResult(localizations: [])
        }
    }
}
