import Foundation
import TwinConfiguration
import TwinMath
import TwinWorld

/// A path a link has this frame as geometry gives it (`PathEnumerator`): the direct path of
/// a bistatic link, or a path via one target (a mover or a background reflector), with its
/// true length, rate, angles and line-of-sight state, before the channel gives it a power.
public struct GeometricPath: Sendable {
    public enum Source: Sendable, Equatable {
        /// Type I: transmitter → receiver, no target.
        case direct
        /// Via mover `id`.
        case mover(Int)
        /// Via background reflector `index`.
        case reflector(Int)
    }

    public var source: Source
    /// The target index (movers, then reflectors); −1 for the direct path.
    public var target: Int
    /// True path length, m: both legs (plus a RIS link's fixed BS–panel part), no clock offset.
    public var length: Double
    /// Rate of change of the length, m/s (target and receiver motion).
    public var rate: Double
    /// Direction of arrival at the receiver and of departure at the transmitter.
    public var arrival: Direction
    public var departure: Direction
    /// Both legs in line of sight (a direct path: the ray between the ends is clear).
    public var lineOfSight: Bool
    /// The legs (anchor → target) at the transmitting and receiving anchors; unused for the
    /// direct path.
    public var txLeg: LegNow
    public var rxLeg: LegNow
    /// The target's position (the receiver's for the direct path).
    public var targetPosition: Vec3
}

/// A path as the channel gives it: a geometric path (or one of the multipath components it
/// spawns) with its post-integration SNR, ready for a `MeasurementModel`.
public struct ChannelPath: Sendable {
    /// Its truth; `trueRange` is the raw path length including c × the link's clock offset.
    public var truth: MeasurementTruth
    /// Post-integration SNR of the primary band, dB.
    public var snrDb: Double
    /// Post-integration SNR of the link's second band, dB (nil: no second band measured).
    public var snr2Db: Double?
    public var arrival: Direction
    public var departure: Direction?
    /// Geometric rate of the path length, m/s (the receiver clock's drift is added when measured).
    public var rate: Double
    /// A scattered (Type III) path's 1σ spread of its arrival azimuth about `arrival`, rad:
    /// the scatterer's direction is drawn only when the path is detected (`realiseScatter`),
    /// so that undetected paths draw nothing; 0 for a specular path.
    public var arrivalSpread = 0.0

    public init(
        truth: MeasurementTruth, snrDb: Double, snr2Db: Double? = nil, arrival: Direction, departure: Direction?, rate: Double,
        arrivalSpread: Double = 0
    ) {
        (self.truth, self.snrDb, self.snr2Db, self.arrival, self.departure, self.rate, self.arrivalSpread) =
            (truth, snrDb, snr2Db, arrival, departure, rate, arrivalSpread)
    }

    /// Draws a scattered path's arrival direction (one normal; nothing for a specular path).
    @inline(__always)
    public mutating func realiseScatter(rng: inout SeededRandom) {
        guard arrivalSpread > 0 else { return }
        arrival = Direction(azimuth: wrapAngle(arrival.azimuth + rng.gaussian() * arrivalSpread), elevation: arrival.elevation)
    }

    /// Whether the path reaches `thresholdDb` in either band.
    @inline(__always)
    public func reaches(_ thresholdDb: Double) -> Bool { snrDb >= thresholdDb || (snr2Db ?? -.infinity) >= thresholdDb }
}

/// The channel of the sensing links (docs/domain.md §4, §11): the large-scale state of every
/// leg (line of sight, path loss, shadowing), the targets' radar cross sections, and the
/// power of every path — including the multipath components a geometric path spawns.
///
/// Per frame the engine calls `advance` once, then for each link and each of its geometric
/// paths `paths(of:on:rng:into:)`, which hands the path's channel components to the sink in a
/// fixed order (draws from the link's stream `rng` interleave with the measurement's, so the
/// order is part of the model). Implementations are registered by name in `ChannelModels`
/// and chosen by the world file's `sensing.channel`.
public protocol ChannelModel: Sendable {
    /// The name in `ChannelModels` and world files.
    var name: String { get }
    /// Advances the large-scale state (legs, RCS) to this frame.
    mutating func advance(to frame: SensingFrame)
    /// This frame's legs (after `advance`): line of sight, path loss, geometry of every anchor–
    /// target pair. A concrete table, read by the path enumerator without a call per leg.
    var legs: LegTable { get }
    /// The channel components of `path` on `link`, in order, each handed to `sink`.
    func paths<Sink: ChannelPathSink>(of path: GeometricPath, on link: LinkContext, rng: inout SeededRandom, into sink: inout Sink)
    /// The state `advance` changes, as bytes (`CheckpointCoding`).
    func checkpoint() throws -> Data
    /// Restores a `checkpoint` of a model built from the same world; throws
    /// `CheckpointMismatch` (leaving the model unchanged) when it does not fit.
    mutating func restore(_ data: Data) throws
}

/// What receives a link's channel paths as the channel gives them (the engine's measurement
/// step). A generic sink rather than a closure: the per-path call is then direct, with nothing
/// to allocate.
public protocol ChannelPathSink {
    mutating func receive(_ path: inout ChannelPath, rng: inout SeededRandom)
}

/// What a channel model is built from.
public struct ChannelSetup: Sendable {
    public let world: WorldSpec
    public let movers: [MoverInfo]
    let layout: SensingLayout
}

/// The channel models by name (`sensing.channel`).
public enum ChannelModels {
    public typealias Factory = @Sendable (ChannelSetup) -> any ChannelModel

    public static let registry = Registry<Factory>(
        kind: "channel model",
        builtIn: [
            .init(
                name: RadarEquationChannel.modelName,
                summary:
                    "bistatic radar equation on TR 38.901 path loss, LOS probability and spatially consistent shadowing; point targets with a log-normal Gauss–Markov RCS; Type III paths with probability nlosProbability",
                make: { RadarEquationChannel($0) })
        ])
}
