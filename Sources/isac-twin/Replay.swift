import ArgumentParser
import Foundation
import TwinEngine
import TwinLocalization
import TwinWorld

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run the fusion centre and the tracker on a recording's observations.",
        discussion: """
            Skips the world and the sensing chain: reads each frame's observations and UE reports \
            back from the recording and runs the localiser and the tracker on them (when only the \
            tracker changes and it updates on positions, the recorded localisations are reused \
            instead, unless --verify). With the \
            recorded settings the localisations and the twin are the recorded ones, bit for bit; \
            --verify checks every frame and reports the first difference (exit 1). With another \
            --localizer, --tracker or --set it shows what they would have done; --record writes \
            that session as a new recording (truth and observations copied) for comparison.
            """)

    @Argument(help: "Recording file (SQLite) with observations (not made with --no-observations).")
    var recording: String

    @Option(
        help: ArgumentHelp("Localiser to use instead of the recorded one: \(Components.names(of: "localizer")).", valueName: "name"))
    var localizer: String?

    @Option(help: ArgumentHelp("Tracker to use instead of the recorded one: \(Components.names(of: "tracker")).", valueName: "name"))
    var tracker: String?

    @OptionGroup var set: WorldOverrideOptions

    @Option(help: "Write the replayed session to this new recording.")
    var record: String?

    @Flag(help: "Check every frame against the recording; exit 1 at a difference.")
    var verify = false

    @Flag(help: "No progress bar.")
    var quiet = false

    func run() throws {
        let summary = try withUserErrors { () throws -> ReplaySummary in
            let bar = ProgressBar(enabled: !quiet && isatty(STDOUT_FILENO) != 0)
            defer { bar.finish() }
            return try Replay.run(
                recording: recording,
                options: ReplayOptions(
                    localizer: localizer, tracker: tracker, overrides: set.overrides,
                    recordPath: record,
                    verify: verify),
                progress: bar.update)
        }
        let loc = summary.localization.detection
        let trk = summary.tracking.detection
        func rmse(_ x: Double?) -> String { x.map { String(format: "%.2g m", $0) } ?? "n/a" }
        print(
            "replayed   \(recording): \(summary.frames) frames in \(String(format: "%.2f s wall: %.0f frames/s", summary.wallSeconds, summary.framesPerSecond))"
        )
        print(
            String(
                format: "localizer  %@: P_MD %.3f, P_FA %.3f (1 m), RMSE %@; %@", summary.localizer,
                loc.missedDetectionProbability, loc.falseAlarmProbability, rmse(loc.rootMeanSquareError),
                summary.reusedLocalizations
                    ? "recorded localisations reused (same localiser)"
                    : String(format: "%.2f ms/frame", 1000 * summary.localization.secondsPerFrame)))
        print(
            String(
                format:
                    "tracker    %@: P_MD %.3f, P_FA %.3f (1 m), RMSE %@; %.1f confirmed tracks/frame; %d born, %d confirmed, %d lost; %.3f ms/frame",
                summary.tracker, trk.missedDetectionProbability, trk.falseAlarmProbability, rmse(trk.rootMeanSquareError),
                summary.tracking.meanConfirmedTracks, summary.tracking.born, summary.tracking.confirmed, summary.tracking.deleted,
                1000 * summary.tracking.secondsPerFrame))
        if let out = summary.recordPath { print("recording  \(out)") }
        if verify {
            if let difference = summary.firstDifference {
                print("verify     DIFFERS: \(difference)")
                throw ExitCode(1)
            }
            print("verify     every frame's localisations and twin equal the recording")
        }
    }
}
