import ArgumentParser
import Foundation
import TwinEngine
import TwinMetrics

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a recording's report: one self-contained HTML page.",
        discussion: """
            The page (inline CSS, SVG and JavaScript; no network) shows the map with the true \
            trajectories and the tracks, a time slider with play/pause that moves the truth and \
            track markers, the error CDF (raw vs tracked), continuity over time per target and \
            the metrics of `isac-twin metrics`. Prints the path and the headline metrics.
            """)

    @Argument(help: "Recording file (SQLite).")
    var recording: String

    @Option(name: .shortAndLong, help: "HTML file to write.")
    var output: String

    @Option(help: "Detection threshold δ in metres: an estimate within δ of a target (one-to-one) localises it.")
    var threshold = 1.0

    func validate() throws {
        if !threshold.isFinite || threshold <= 0 {
            throw ValidationError("--threshold must be a distance > 0 in metres, found \(threshold)")
        }
    }

    func run() throws {
        let (html, m) = try withUserErrors { try RecordingReport.render(path: recording, settings: MetricsSettings(threshold: threshold)) }
        do {
            try Data(html.utf8).write(to: URL(fileURLWithPath: output))
        } catch {
            throw failBadInput("cannot write \(output): \(error.localizedDescription)")
        }
        let f = MetricsOutput.format
        print("\(output) (\(formatBytes(Int64(html.utf8.count))), \(m.frames) frames)")
        print(
            "continuity raw \(f(m.raw.continuity.overall, "")) tracked \(f(m.tracked.continuity.overall, "")); "
                + "RMSE raw \(f(m.raw.detection.rootMeanSquareError, "")) m tracked \(f(m.tracked.detection.rootMeanSquareError, "")) m; "
                + "OSPA raw \(f(m.raw.ospa.distance, "")) m tracked \(f(m.tracked.ospa.distance, "")) m")
    }
}
