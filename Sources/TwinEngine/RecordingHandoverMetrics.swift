import Foundation
import TwinMetrics
import TwinStore
import TwinWorld

/// The handover section of `isac-twin metrics`: the policy a recording ran with and its
/// `HandoverMetrics` (README "Sensing clusters and handover").
public struct RecordingHandoverMetrics: Sendable {
    public var policy: HandoverPolicy
    public var pingPongWindow: Double
    public var metrics: HandoverMetrics

    /// Nil for a recording made without handover (no `handover` section, or policy `none`).
    /// The policy and ping-pong window are those of the recorded world text with the run's
    /// `--set` overrides (so `--handover` and `--set handover.*` count).
    public init?(path: String) throws {
        let recording = try Recording(path: path)
        let summary = try recording.summary()
        let stored = summary.metadata.runOptions.flatMap { try? JSONDecoder().decode(StoredRunOptions.self, from: Data($0.utf8)) }
        guard
            let spec = try? WorldSpec.decode(
                yaml: summary.metadata.worldText, file: summary.metadata.worldFile, overrides: stored?.overrides ?? []),
            spec.handover.policy != .none
        else { return nil }
        policy = spec.handover.policy
        pingPongWindow = spec.handover.pingPongWindow
        let events = try recording.handoverEvents().map {
            HandoverRecord(time: $0.time, trackId: $0.trackId, from: $0.from, to: $0.to, operatorName: $0.operatorName)
        }
        let frames = try recording.trackUpdates().filter { $0.status != "tentative" }.map {
            TrackFrame(trackId: $0.trackId, time: $0.time, detected: $0.detected)
        }
        let dt = summary.metadata.dt
        let movers = summary.moverCounts.reduce(0) { $0 + $1.count }
        metrics = HandoverMetrics(
            events: events, frames: frames, frameDuration: dt, targetMinutes: Double(movers) * Double(summary.framesWritten) * dt / 60,
            pingPongWindow: pingPongWindow)
    }
}
