import ArgumentParser
import Foundation
import TwinEngine
import TwinLocalization
import TwinSensing
import TwinWorld

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a timed world simulation and write a recording.",
        discussion: """
            Steps the world for its duration at its time step and writes every frame to a \
            SQLite recording (default: recordings/<world>-<seed>.sqlite). A progress bar is \
            shown when standard output is a terminal.

            Each committed batch of frames also stores the run's exact state, so a run that was \
            killed continues with `isac-twin run --resume RECORDING` from its last committed \
            frame and ends with the same recording and twin as an uninterrupted run.
            """)

    @Argument(help: "World file, or the name of a shipped world (see `isac-twin worlds`). Not with --resume.")
    var world: String?

    @Option(
        help: ArgumentHelp(
            "Continue the interrupted run recorded in this file (its world and options are stored in it).", valueName: "recording"))
    var resume: String?

    @Option(help: "Simulated duration in seconds (overrides simulation.duration).")
    var duration: Double?

    @Option(help: "Seed of all random draws (overrides simulation.seed).")
    var seed: UInt64?

    @Option(help: "Sensing mode (overrides sensing.mode): monostatic, trp-trp, trp-ue, hybrid or cell-free.")
    var mode: SensingMode?

    @Option(
        help: ArgumentHelp(
            "Measurement model of every link class (overrides sensing.fidelity): \(Components.names(of: "measurement model")).",
            valueName: "name"))
    var fidelity: String?

    @Option(
        help: ArgumentHelp(
            "Localiser of the fusion centre (overrides localizer.name): \(Components.names(of: "localizer")).", valueName: "name"))
    var localizer: String?

    @Option(help: ArgumentHelp("Tracker (overrides tracker.name): \(Components.names(of: "tracker")).", valueName: "name"))
    var tracker: String?

    @Option(help: "Sensing handover policy (overrides handover.policy): none, strongest, hysteresis or predictive.")
    var handover: HandoverPolicy?
    @Option(help: "Cooperation policy of the operators (sets cooperation.policy): isolated, measurement-sharing or track-sharing.")
    var cooperation: CooperationPolicy?

    @OptionGroup var set: WorldOverrideOptions

    @Option(help: "Frames per committed transaction (a killed run loses at most this many frames of work; default 50).")
    var batchFrames: Int?

    @Option(help: "Where to write the recording (SQLite).")
    var record: String?

    @Flag(help: "Write no recording.")
    var noRecord = false

    @Flag(help: "Record truth and UE reports only, not the sensing observations (much smaller files).")
    var noObservations = false

    @Flag(help: "Print only the summary, no progress bar.")
    var quiet = false

    func validate() throws {
        if let duration, !(duration > 0) || !duration.isFinite {
            throw ValidationError("--duration must be a positive number of seconds, found \(duration)")
        }
        if noRecord && record != nil { throw ValidationError("--record and --no-record exclude each other") }
        if let batchFrames, batchFrames < 1 { throw ValidationError("--batch-frames must be at least 1, found \(batchFrames)") }
        if resume != nil {
            let others = [
                world.map { _ in "a world" }, duration.map { _ in "--duration" }, seed.map { _ in "--seed" }, mode.map { _ in "--mode" },
                localizer.map { _ in "--localizer" }, tracker.map { _ in "--tracker" }, handover.map { _ in "--handover" },
                cooperation.map { _ in "--cooperation" }, set.settings.isEmpty ? nil : "--set",
                record.map { _ in "--record" }, fidelity.map { _ in "--fidelity" }, noRecord ? "--no-record" : nil,
                noObservations ? "--no-observations" : nil,
                batchFrames.map { _ in "--batch-frames" },
            ].compactMap { $0 }
            if !others.isEmpty {
                throw ValidationError(
                    "--resume continues with the world and options stored in the recording; drop \(others.joined(separator: ", "))")
            }
        } else if world == nil {
            throw ValidationError("give a world file (or a shipped world's name), or --resume RECORDING")
        }
    }

    func run() throws {
        if let resume {
            let summary = try withUserErrors { () throws -> RunSummary in
                let bar = ProgressBar(enabled: !quiet && isatty(STDOUT_FILENO) != 0)
                defer { bar.finish() }
                return try Simulation.resume(
                    recording: resume, commandLine: CommandLine.arguments.joined(separator: " "), progress: bar.update)
            }
            print(Self.describe(summary, world: resume))
            return
        }
        let path = WorldCatalogue.resolve(world ?? "")
        let summary = try withUserErrors { () throws -> RunSummary in
            var run = try Simulation(
                worldFile: path,
                options: RunOptions(
                    duration: duration, seed: seed, batchFrames: batchFrames ?? 50, mode: mode, localizer: localizer, tracker: tracker,
                    overrides: set.overrides + (handover.map { [WorldOverride(key: "handover.policy", value: $0.rawValue)] } ?? [])
                        + (cooperation.map { [WorldOverride(key: "cooperation.policy", value: $0.rawValue)] } ?? []),
                    recordObservations: !noObservations, fidelity: fidelity))
            if !noRecord {
                let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                run.options.recordPath = record ?? "recordings/\(stem)-\(run.spec.simulation.seed).sqlite"
            }
            let bar = ProgressBar(enabled: !quiet && isatty(STDOUT_FILENO) != 0)
            defer { bar.finish() }
            return try run.run(progress: bar.update)
        }
        print(Self.describe(summary, world: path))
    }

    static func describe(_ s: RunSummary, world: String) -> String {
        var lines: [String] = []
        lines.append("world      \(world)")
        if s.framesRun != s.frames {
            lines.append(
                String(
                    format: "frames     %d (%.1f s simulated), %d computed now in %.2f s wall: %.0f frames/s", s.frames, s.simulatedSeconds,
                    s.framesRun, s.wallSeconds, s.framesPerSecond))
        } else {
            lines.append(
                String(
                    format: "frames     %d (%.1f s simulated) in %.2f s wall: %.0f frames/s",
                    s.frames, s.simulatedSeconds, s.wallSeconds, s.framesPerSecond))
        }
        let movers = s.moverCounts.map { "\($0.count) \($0.moverClass.rawValue)" }.joined(separator: ", ")
        lines.append("movers     \(movers); \(s.ueCount) carry UEs; \(s.baseStations) base stations")
        let travelled = s.moverCounts.map { c in
            String(format: "%@ %.0f m", c.moverClass.rawValue, s.distanceByClass[c.moverClass] ?? 0)
        }.joined(separator: ", ")
        lines.append("travelled  \(travelled)")
        let st = s.sensing
        lines.append(
            String(
                format:
                    "sensing    %@: %d links; %.1f detections/frame, %.1f measurements/frame (%.1f clutter); %.0f%% of link–target pairs in LOS",
                s.sensingMode.rawValue, s.links, st.detectionsPerFrame, st.measurementsPerFrame,
                st.frames > 0 ? Double(st.clutter) / Double(st.frames) : 0, 100 * st.lineOfSightFraction))
        if let p10 = st.snrPercentile(0.1), let p50 = st.snrPercentile(0.5), let p90 = st.snrPercentile(0.9) {
            lines.append(String(format: "snr        detected target echoes: p10 %.1f dB, median %.1f dB, p90 %.1f dB", p10, p50, p90))
        }
        let loc = s.localization
        let d = loc.detection
        let rmse = d.rootMeanSquareError.map { String(format: "%.2g m", $0) } ?? "n/a"
        lines.append(
            String(
                format:
                    "localizer  %@: P_MD %.3f, P_FA %.3f (1 m), RMSE %@; %.1f reported, %.1f heard, %.1f rejected per frame; %.2f ms/frame",
                s.localizer, d.missedDetectionProbability, d.falseAlarmProbability, rmse,
                Double(d.reported) / Double(max(loc.frames, 1)), Double(d.truths) / Double(max(loc.frames, 1)),
                Double(loc.rejected) / Double(max(loc.frames, 1)), 1000 * loc.seconds / Double(max(s.framesRun, 1))))
        if !loc.flagged.isEmpty || loc.invalidFrames > 0 {
            var parts = loc.flagged.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
            if loc.invalidFrames > 0 { parts.append("invalid frames \(loc.invalidFrames)") }
            lines.append("flags      " + parts.joined(separator: ", "))
        }
        let tr = s.tracking
        let td = tr.detection
        let trackedRMSE = td.rootMeanSquareError.map { String(format: "%.2g m", $0) } ?? "n/a"
        lines.append(
            String(
                format:
                    "tracker    %@: P_MD %.3f, P_FA %.3f (1 m), RMSE %@; %.1f confirmed tracks/frame; %d born, %d confirmed, %d lost; %d refused; %.3f ms/frame",
                s.tracker, td.missedDetectionProbability, td.falseAlarmProbability, trackedRMSE, tr.meanConfirmedTracks, tr.born,
                tr.confirmed, tr.deleted, tr.rejected, 1000 * tr.seconds / Double(max(s.framesRun, 1))))
        if tr.numericalFailures > 0 { lines.append("warning    \(tr.numericalFailures) tracks dropped for numerical failure") }
        lines.append("twin       \(s.twin.confirmedTracks.count) confirmed tracks, \(s.twin.tracks.count) in all, at t = \(s.twin.time) s")
        if let after = s.resumedAfter {
            lines.append("resumed    after frame \(after): \(s.framesRun) frames computed now")
        }
        if let path = s.recordPath {
            lines.append("recording  \(path) (\(formatBytes(s.recordBytes ?? 0)))")
        }
        return lines.joined(separator: "\n")
    }
}

/// A one-line progress bar on a terminal, redrawn at most ten times a second.
final class ProgressBar {
    private let enabled: Bool
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var lastDraw: ContinuousClock.Instant
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled
        start = clock.now
        lastDraw = start
    }

    func update(done: Int, total: Int) {
        guard enabled else { return }
        let now = clock.now
        guard done == total || now - lastDraw >= .milliseconds(100) else { return }
        lastDraw = now
        drawn = true
        let width = 30
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int(fraction * Double(width))
        let elapsed = now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let line = String(
            format: "\r[%@%@] %3.0f%%  frame %d/%d  %.0f frames/s ",
            String(repeating: "#", count: filled), String(repeating: ".", count: width - filled),
            fraction * 100, done, total, rate)
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    func finish() {
        if drawn { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}

extension SensingMode: ExpressibleByArgument {}
extension HandoverPolicy: ExpressibleByArgument {}
extension CooperationPolicy: ExpressibleByArgument {}
