import Foundation
import TwinMetrics
import TwinReport
import TwinStore
import TwinWorld

/// `isac-twin report`: a recording's HTML report (TwinReport) with the metrics it shows.
public enum RecordingReport {
    /// Reads the recording at `path` once and renders its report; the metrics are those of
    /// `RecordingMetrics(path:settings:)`.
    public static func render(path: String, settings: MetricsSettings = MetricsSettings()) throws -> (
        html: String, metrics: RecordingMetrics
    ) {
        let recording = try Recording(path: path)
        let summary = try recording.summary()
        let stored = try recording.scoringFrames()
        let metrics = try RecordingMetrics(path: path, recording: recording, summary: summary, stored: stored, settings: settings)
        let (rawFrames, trackedFrames) = RecordingMetrics.inputs(stored)
        let world = try? WorldSpec.decode(yaml: summary.metadata.worldText, file: summary.metadata.worldFile)
        let input = ReportInput(
            recording: path, worldFile: summary.metadata.worldFile, world: world, seed: summary.metadata.seed,
            frameDuration: metrics.frameDuration, duration: metrics.duration, localizer: metrics.localizer, tracker: metrics.tracker,
            heardTargets: metrics.heardTargets, settings: settings, moverNames: metrics.moverNames, frames: stored,
            rawFrames: rawFrames, trackedFrames: trackedFrames, raw: metrics.raw, tracked: metrics.tracked, tracks: metrics.tracks)
        return (HTMLReport.render(input), metrics)
    }
}
