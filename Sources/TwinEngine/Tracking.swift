import Foundation
import TwinLocalization
import TwinMath
import TwinSensing
import TwinTracking
import TwinWorld

/// What the tracker did over a run, scored like the fusion centre's output: confirmed and
/// coasting tracks are matched one-to-one to the targets heard in the frame within 1 m
/// (`AssociationStudy.Detection`), so tracked and raw RMSE, P_MD and P_FA compare directly.
public struct TrackingStatistics: Sendable, Equatable, Codable {
    public private(set) var frames = 0
    public private(set) var detection = AssociationStudy.Detection()
    /// Detections the tracker refused (NaN or non-positive-definite covariance).
    public private(set) var rejected = 0
    public private(set) var born = 0
    public private(set) var confirmed = 0
    public private(set) var deleted = 0
    public private(set) var numericalFailures = 0
    /// Σ over frames of the confirmed (and coasting) tracks.
    public private(set) var trackFrames = 0
    /// Wall time spent tracking, s.
    public var seconds = 0.0

    public init() {}

    mutating func add(_ report: TrackerFrameReport, state: TwinState, truths: [Vec3]) {
        frames += 1
        let tracks = state.confirmedTracks.map(\.position)
        detection += AssociationStudy.Detection.evaluate(truths: truths, estimates: tracks)
        rejected += report.rejected
        born += report.born.count
        confirmed += report.confirmed.count
        deleted += report.deleted.count
        numericalFailures += report.numericalFailures
        trackFrames += tracks.count
    }

    public var secondsPerFrame: Double { frames > 0 ? seconds / Double(frames) : 0 }
    public var meanConfirmedTracks: Double { frames > 0 ? Double(trackFrames) / Double(frames) : 0 }
}

/// The fusion centre's localisations as tracker detections. For measurement-level (EKF)
/// tracking each detection also carries the raw echoes behind it: ranges (sum ranges after
/// clock calibration) and angles of arrival and departure at base stations. Echoes on links
/// whose clock offset is unknown, and those at UE anchors (whose positions are only GNSS
/// reports), are left out of the raw set; the position still represents them.
enum DetectionBuilder {
    static func detections(_ result: LocalizationResult, problem: LocalizationProblem?, raw: Bool) -> [Detection] {
        result.localizations.map { l in
            var d = Detection(position: l.position, covariance: l.covariance)
            if raw, let problem { d.raw = rawMeasurements(l, problem) }
            return d
        }
    }

    static func rawMeasurements(_ l: Localization, _ problem: LocalizationProblem) -> [RawMeasurement] {
        var out: [RawMeasurement] = []
        for ref in l.echoes {
            guard problem.links.indices.contains(ref.link) else { continue }
            let link = problem.links[ref.link]
            guard link.echoes.indices.contains(ref.echo) else { continue }
            if case .unknown = link.offset { continue }
            let tx = problem.anchors[link.transmitter], rx = problem.anchors[link.receiver]
            guard tx.kind != .ue, rx.kind != .ue else { continue }
            let echo = link.echoes[ref.echo]
            let rangeKind: RawMeasurement.Kind =
                link.isMonostatic ? .range(from: rx.position) : .sumRange(transmitter: tx.position, receiver: rx.position)
            out.append(RawMeasurement(rangeKind, value: echo.range, variance: echo.rangeVariance))
            for (direction, at) in [(echo.arrival, rx.position), (echo.departure, tx.position)] {
                guard let direction else { continue }
                out.append(RawMeasurement(.azimuth(at: at), value: direction.azimuth, variance: direction.azimuthVariance))
                if let e = direction.elevation, let v = direction.elevationVariance {
                    out.append(RawMeasurement(.elevation(at: at), value: e, variance: v))
                }
            }
        }
        return out
    }
}
