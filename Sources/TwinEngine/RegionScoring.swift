import Foundation
import TwinMath
import TwinMetrics
import TwinStore
import TwinWorld

/// Scoring restricted to a floor region (`isac-twin metrics --region`), e.g. a blind zone.
///
/// Inside a region the targets of a frame are every mover whose true position lies in the
/// rectangle, heard or not: a mover nobody hears there counts as missed, so runs that hear
/// the region differently (RIS on and off) are scored against the same targets. Estimates
/// (localisations and tracks) count when they lie in the rectangle grown by the detection
/// threshold, so an estimate just outside the edge of a target just inside still matches.
public struct FloorRegion: Sendable, Equatable {
    public var minimum: Point2
    public var maximum: Point2

    public init(minimum: Point2, maximum: Point2) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// Parses "xmin,ymin,xmax,ymax" (metres); nil unless four finite numbers with xmin < xmax, ymin < ymax.
    public init?(parsing text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
        guard parts.count == 4, let a = parts[0], let b = parts[1], let c = parts[2], let d = parts[3],
            [a, b, c, d].allSatisfy(\.isFinite), a < c, b < d
        else { return nil }
        self.init(minimum: Point2(a, b), maximum: Point2(c, d))
    }

    public func contains(_ p: Vec3, margin: Double = 0) -> Bool {
        p.x >= minimum.x - margin && p.x <= maximum.x + margin && p.y >= minimum.y - margin && p.y <= maximum.y + margin
    }

    /// The frames with targets and estimates restricted to the region (see the type).
    public func restrict(_ frames: [Recording.ScoringFrame], threshold: Double) -> [Recording.ScoringFrame] {
        frames.map { f in
            var g = f
            g.heard = f.truth.filter { contains($0.position) }.map(\.id)
            g.localizations = f.localizations.filter { contains($0, margin: threshold) }
            g.tracks = f.tracks.filter { contains($0.position, margin: threshold) }
            return g
        }
    }
}

extension RecordingMetrics {
    /// The metrics of the recording at `path` restricted to `region` (`FloorRegion`). The
    /// breakdown by infrastructure is left empty (its labels belong to all localisations).
    public init(path: String, settings: MetricsSettings, region: FloorRegion) throws {
        let recording = try Recording(path: path)
        try self.init(
            path: path, recording: recording, summary: try recording.summary(),
            stored: region.restrict(try recording.scoringFrames(), threshold: settings.threshold), settings: settings)
        infrastructure = []
    }
}
