import Foundation
import TwinMath
import TwinMetrics
import TwinStore
import TwinTracking

/// The metrics of a recording (docs/domain.md §10): the fusion centre's raw localisations and the
/// tracked twin (confirmed and coasting tracks) scored against the same targets, plus the
/// SIAP track metrics of the twin.
///
/// The targets of a frame are the movers heard in it (at least one Type II echo,
/// `observation_truth.pathType = 'target'`), as the run's own summary scores them; a recording
/// without observations (`--no-observations`) is scored against every mover in every frame.
public struct RecordingMetrics: Sendable {
    public var recording: String
    public var settings: MetricsSettings
    public var frames: Int
    /// Simulated time span (s): last frame's time − first frame's time + frame duration.
    public var duration: Double
    public var frameDuration: Double
    /// True when targets are the movers heard per frame; false: every mover (no observations).
    public var heardTargets: Bool
    public var localizer: String?
    public var tracker: String?
    /// Mover names by id.
    public var moverNames: [Int: String]
    public var raw: EstimateMetrics
    public var tracked: EstimateMetrics
    public var tracks: TrackMetrics
    /// The raw localisations broken down by the infrastructure behind them (BS tier and
    /// operator of their links' ends, `Recording.localizationInfrastructure`), by label.
    public var infrastructure: [InfrastructureGroup]

    /// Localisations of one infrastructure label: how many, how many localised a heard target
    /// (the same one-to-one matching as P_FA), and their squared errors.
    public struct InfrastructureGroup: Sendable, Equatable {
        public var label: String
        public var reported = 0
        public var correct = 0
        public var squaredErrorSum = 0.0

        public var falseAlarmProbability: Double { reported > 0 ? 1 - Double(correct) / Double(reported) : .nan }
        public var rootMeanSquareError: Double? { correct > 0 ? (squaredErrorSum / Double(correct)).squareRoot() : nil }
    }

    /// Reads the recording at `path` (one query per table) and computes every metric.
    public init(path: String, settings: MetricsSettings = MetricsSettings()) throws {
        let recording = try Recording(path: path)
        try self.init(
            path: path, recording: recording, summary: try recording.summary(), stored: try recording.scoringFrames(), settings: settings)
    }

    /// The metrics of frames already read from `recording` (its `summary()` and `scoringFrames()`).
    public init(
        path: String, recording: Recording, summary: Recording.Summary, stored: [Recording.ScoringFrame], settings: MetricsSettings
    ) throws {
        self.recording = path
        self.settings = settings
        frames = stored.count
        frameDuration = summary.metadata.dt
        duration = stored.isEmpty ? 0 : (stored.last!.time - stored.first!.time + summary.metadata.dt)
        heardTargets = stored.contains { $0.heard != nil }
        localizer = summary.metadata.localizer
        tracker = summary.metadata.tracker
        moverNames = Dictionary(uniqueKeysWithValues: try recording.movers().map { ($0.id, $0.name) })
        let (rawFrames, trackedFrames) = Self.inputs(stored)
        raw = EstimateMetrics(frames: rawFrames, settings: settings)
        tracked = EstimateMetrics(frames: trackedFrames, settings: settings)
        tracks = TrackMetrics(frames: trackedFrames, threshold: settings.threshold, frameDuration: frameDuration)
        let labels = try recording.localizationInfrastructure()
        var groups: [String: InfrastructureGroup] = [:]
        for (f, frame) in zip(stored, rawFrames) {
            guard let frameLabels = labels[f.frameIndex], frameLabels.count == frame.estimates.count else { continue }
            let matches = Matching.match(
                targets: frame.targets.map(\.position), estimates: frame.estimates.map(\.position), threshold: settings.threshold)
            var errorOf: [Int: Double] = [:]
            for m in matches { errorOf[m.estimate] = m.error }
            for (i, label) in frameLabels.enumerated() {
                var g = groups[label] ?? InfrastructureGroup(label: label)
                g.reported += 1
                if let e = errorOf[i] {
                    g.correct += 1
                    g.squaredErrorSum += e * e
                }
                groups[label] = g
            }
        }
        infrastructure = groups.values.sorted { $0.label < $1.label }
    }

    /// The metrics inputs of stored frames: targets (heard, or all movers without observations)
    /// with raw localisations (ids = index in the frame), and with confirmed and coasting tracks
    /// (ids = track ids).
    public static func inputs(_ stored: [Recording.ScoringFrame]) -> (raw: [MetricsFrame], tracked: [MetricsFrame]) {
        var raw: [MetricsFrame] = [], tracked: [MetricsFrame] = []
        raw.reserveCapacity(stored.count)
        tracked.reserveCapacity(stored.count)
        for f in stored {
            let targets: [LabeledPoint]
            if let heard = f.heard {
                let byId = Dictionary(uniqueKeysWithValues: f.truth.map { ($0.id, $0.position) })
                targets = heard.compactMap { id in byId[id].map { LabeledPoint(id: id, position: $0) } }
            } else {
                targets = f.truth.map { LabeledPoint(id: $0.id, position: $0.position) }
            }
            raw.append(
                MetricsFrame(
                    time: f.time, targets: targets,
                    estimates: f.localizations.enumerated().map { LabeledPoint(id: $0.offset, position: $0.element) }))
            tracked.append(
                MetricsFrame(
                    time: f.time, targets: targets,
                    estimates: f.tracks.filter { $0.status != .tentative }.map { LabeledPoint(id: $0.id, position: $0.position) }))
        }
        return (raw, tracked)
    }
}
