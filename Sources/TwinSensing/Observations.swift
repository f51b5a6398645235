import TwinMath
import TwinWorld

/// A node that transmits or receives: a base station (index into the world's base stations)
/// or a UE (the id of the mover carrying it).
public enum SensingNode: Hashable, Sendable, Codable, CustomStringConvertible {
    case baseStation(Int)
    case ue(Int)

    public var description: String {
        switch self {
        case .baseStation(let i): return "bs\(i)"
        case .ue(let m): return "ue\(m)"
        }
    }
}

/// How a link senses.
public enum LinkKind: String, Sendable, Codable, CaseIterable {
    /// One BS transmits and receives its own echoes (full duplex).
    case monostatic
    /// One BS transmits, another receives.
    case trpTrp = "trp-trp"
    /// A BS transmits, a UE receives.
    case trpUE = "trp-ue"
    /// Co-frequency cell-free: every BS transmits the same waveform; a receiving BS attributes
    /// each echo to a transmitter (possibly the wrong one).
    case cellFree = "cell-free"
    /// A BS senses through a RIS panel: BS → RIS → target → RIS → BS (`SensingLink.panel`).
    case ris
}

/// A transmitter–receiver pair that yields measurements each frame.
public struct SensingLink: Sendable, Equatable, Codable {
    public var id: Int
    public var kind: LinkKind
    public var transmitter: SensingNode
    public var receiver: SensingNode
    /// The RIS panel of a `.ris` link (transmitter = receiver = the panel's BS); nil otherwise.
    public var panel: RISPanelRef? = nil

    public var isMonostatic: Bool { transmitter == receiver }
}

/// What produced a measurement (truth, for metrics only).
public enum PathType: String, Sendable, Codable, CaseIterable {
    /// Type I: the direct transmitter→receiver path (no target); calibrates clock offsets.
    case direct
    /// Type II: transmitter→target→receiver with both legs in line of sight.
    case target
    /// Type III: via a scatterer besides the target; longer than the Type II path.
    case nlos
    /// A false alarm.
    case clutter
    /// A static background reflector.
    case background
}

/// One measured path on a link: what a receiver reports, without any label.
///
/// `range` is the one-way range for a monostatic link and the bistatic sum range
/// d_tx + d_rx for the others, in metres; a bistatic range includes the link's clock offset
/// times c (uncalibrated). Angles are in the world frame (radians; azimuth from +x
/// counter-clockwise, elevation from the horizontal); a nil angle was not measured (an array
/// with one element along that axis, or a transmitter that does not sweep beams). Every value
/// comes with the variance used to draw its error (the Cramér–Rao bound at its SNR).
/// In a world with a `cooperation` section a base station's azimuths are in its operator's
/// frame instead (`OperatorFrames`).
public struct Measurement: Sendable, Equatable {
    public var linkId: Int
    public var range: Double
    public var rangeVariance: Double
    public var aoaAzimuth: Double?
    public var aoaAzimuthVariance: Double?
    public var aoaElevation: Double?
    public var aoaElevationVariance: Double?
    public var aodAzimuth: Double?
    public var aodAzimuthVariance: Double?
    public var aodElevation: Double?
    public var aodElevationVariance: Double?
    /// Rate of change of `range`, m/s (from the Doppler shift).
    public var rangeRate: Double
    public var rangeRateVariance: Double
    /// Post-integration SNR, dB.
    public var snrDb: Double

    public init(
        linkId: Int, range: Double, rangeVariance: Double, aoaAzimuth: Double? = nil, aoaAzimuthVariance: Double? = nil,
        aoaElevation: Double? = nil, aoaElevationVariance: Double? = nil, aodAzimuth: Double? = nil, aodAzimuthVariance: Double? = nil,
        aodElevation: Double? = nil, aodElevationVariance: Double? = nil, rangeRate: Double, rangeRateVariance: Double, snrDb: Double
    ) {
        (self.linkId, self.range, self.rangeVariance) = (linkId, range, rangeVariance)
        (self.aoaAzimuth, self.aoaAzimuthVariance, self.aoaElevation, self.aoaElevationVariance) =
            (aoaAzimuth, aoaAzimuthVariance, aoaElevation, aoaElevationVariance)
        (self.aodAzimuth, self.aodAzimuthVariance, self.aodElevation, self.aodElevationVariance) =
            (aodAzimuth, aodAzimuthVariance, aodElevation, aodElevationVariance)
        (self.rangeRate, self.rangeRateVariance, self.snrDb) = (rangeRate, rangeRateVariance, snrDb)
    }
}

/// Truth beside a measurement: never passed to localisation.
public struct MeasurementTruth: Sendable, Equatable {
    public var pathType: PathType
    /// The target (mover id) whose echo this is; nil for direct paths, clutter and background.
    public var moverId: Int?
    /// Index of the background reflector, for `.background`.
    public var reflector: Int?
    /// The transmitter that really sent it (differs from the link's in a cell-free mis-attribution).
    public var transmitter: SensingNode
    /// The error-free value of `range` (including the clock offset).
    public var trueRange: Double

    public init(pathType: PathType, moverId: Int?, reflector: Int?, transmitter: SensingNode, trueRange: Double) {
        (self.pathType, self.moverId, self.reflector, self.transmitter, self.trueRange) = (
            pathType, moverId, reflector, transmitter, trueRange
        )
    }
}

/// What the fusion centre receives for one frame.
public struct FrameObservations: Sendable, Equatable {
    public var frameIndex: Int
    public var time: Double
    public var measurements: [Measurement]
    /// Where the UEs say they are (GNSS): the only UE positions the fusion centre knows.
    public var ueAnchors: [UEAnchor]

    public init(frameIndex: Int, time: Double, measurements: [Measurement], ueAnchors: [UEAnchor]) {
        (self.frameIndex, self.time, self.measurements, self.ueAnchors) = (frameIndex, time, measurements, ueAnchors)
    }
}

/// A UE's self-report as the fusion centre sees it.
public struct UEAnchor: Sendable, Equatable {
    public var moverId: Int
    public var reportedPosition: Vec3

    public init(moverId: Int, reportedPosition: Vec3) {
        self.moverId = moverId
        self.reportedPosition = reportedPosition
    }
}

/// Truth labels of one frame's measurements, in the same order.
public struct ObservationTruth: Sendable, Equatable {
    public var labels: [MeasurementTruth]

    public init(labels: [MeasurementTruth]) { self.labels = labels }
}
