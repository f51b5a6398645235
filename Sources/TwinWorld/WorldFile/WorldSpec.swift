import TwinConfiguration
import TwinMath
import TwinTracking

/// A world file, decoded and validated. Every key is documented in `worlds/README.md`.
///
/// Specs are plain values: a test or a benchmark may change one (more vehicles, another seed)
/// and build a `World` from it.
public struct WorldSpec: Sendable, Equatable {
    /// One line shown by `isac-twin worlds`.
    public var description: String
    public var simulation: SimulationSpec
    public var map: MapSpec
    public var movers: [MoverSpec]
    public var ue: UESpec
    public var operators: [OperatorSpec]
    public var baseStations: [BaseStationSpec]
    public var ris: [RISSpec]
    public var sensing: SensingSpec
    public var localizer: LocalizerSpec
    public var tracker: TrackerSettings
    /// Sensing clusters and handover (absent: `policy: none`, every BS senses every target).
    public var handover: HandoverSpec = .default
    /// How operators cooperate; nil: one fusion centre, no operator frames (see `CooperationSpec`).
    public var cooperation: CooperationSpec? = nil
    /// The component names the file gave (localiser, tracker, channel and measurement
    /// models) and where: checked against the registries by `ComponentCatalogue`.
    public var componentReferences: [ComponentReference] = []
}

public struct SimulationSpec: Sendable, Equatable {
    /// Time step, seconds.
    public var dt: Double
    /// Simulated duration, seconds.
    public var duration: Double
    /// Seed of every random draw in the run.
    public var seed: UInt64

    /// Number of frames a run of `duration` takes (the last partial step is dropped).
    public var frameCount: Int { Int((duration / dt + 1e-9).rounded(.down)) }

    /// Most frames one run may have (a year at 10 Hz is 3.2e8).
    public static let maxFrames = 1e9

    /// Why a (dt, duration) pair is unusable, or nil: at least one frame, at most `maxFrames`.
    public static func checkFrames(dt: Double, duration: Double) -> (expected: String, found: String)? {
        if duration < dt {
            return ("a duration of at least one time step (\(dt) s)", "\(duration) s")
        }
        if duration / dt > maxFrames {
            return ("at most \(Int(maxFrames)) frames (duration / dt)", "\(duration) s / \(dt) s")
        }
        return nil
    }
}

// MARK: - Map

public enum MapSpec: Sendable, Equatable {
    case factory(FactoryHallSpec)
    case road(RoadMapSpec)

    /// Horizontal extent: x in 0...size.x, y in 0...size.y (metres).
    public var size: Point2 {
        switch self {
        case .factory(let f): return f.size
        case .road(let r): return r.size
        }
    }

    /// Highest point a mover may reach (the hall's ceiling, or the road map's airspace ceiling).
    public var ceiling: Double {
        switch self {
        case .factory(let f): return f.ceiling
        case .road(let r): return r.maxAltitude
        }
    }

    /// Obstacles that block movement (and, later, line of sight).
    public var obstacles: [Prism] {
        switch self {
        case .factory(let f): return f.obstacles
        case .road(let r): return r.buildings
        }
    }
}

/// TR 38.901 indoor-factory sub-scenario: sparse/dense clutter, low/high base station.
public enum InFSubScenario: String, Sendable, Equatable, CaseIterable, Codable {
    case sl = "InF-SL", dl = "InF-DL", sh = "InF-SH", dh = "InF-DH"

    /// TR 38.901 Table 7.2-4 defaults: clutter density r, clutter size d_clutter (m),
    /// effective clutter height h_c (m).
    public var defaultClutter: ClutterSpec {
        switch self {
        case .sl: return ClutterSpec(density: 0.2, size: 10, height: 2)
        case .dl: return ClutterSpec(density: 0.6, size: 2, height: 6)
        case .sh: return ClutterSpec(density: 0.2, size: 10, height: 2)
        case .dh: return ClutterSpec(density: 0.6, size: 2, height: 6)
        }
    }
}

public struct ClutterSpec: Sendable, Equatable, Codable {
    /// Fraction of the floor covered by clutter, r.
    public var density: Double
    /// Typical clutter size d_clutter, metres.
    public var size: Double
    /// Effective clutter height h_c, metres.
    public var height: Double
}

/// An aisle: a path AGVs drive and people may walk along.
public struct AisleSpec: Sendable, Equatable {
    public var name: String
    public var path: Polyline
    /// A closed aisle is a loop (last point joins the first); an open one is driven back and forth.
    public var closed: Bool
}

public struct FactoryHallSpec: Sendable, Equatable {
    public var size: Point2
    public var ceiling: Double
    public var scenario: InFSubScenario
    public var clutter: ClutterSpec
    public var obstacles: [Prism]
    public var aisles: [AisleSpec]
}

public struct JunctionSpec: Sendable, Equatable {
    public var name: String
    public var position: Point2
    /// Speed through the junction (turns), m/s.
    public var turnSpeed: Double
}

public struct LaneSpec: Sendable, Equatable {
    public var name: String
    /// Points in the direction of travel, at road level (z = 0).
    public var path: Polyline
    /// m/s.
    public var speedLimit: Double
    /// Junctions at the start and the end (names), if any.
    public var from: String?
    public var to: String?
}

public struct RoadMapSpec: Sendable, Equatable {
    public var size: Point2
    public var maxAltitude: Double
    public var junctions: [JunctionSpec]
    public var lanes: [LaneSpec]
    public var buildings: [Prism]
}

// MARK: - Movers

/// What a mover is: decides its mobility model and, later, its radar cross section.
public enum MoverClass: String, Sendable, Equatable, CaseIterable, Codable {
    case vehicle, uav, person, agv

    /// Height of the reflection centre above the ground (m) where the world file is silent.
    public var defaultHeight: Double {
        switch self {
        case .vehicle: return 1.0
        case .person: return 1.5
        case .agv: return 0.5
        case .uav: return 0
        }
    }
}

/// Size class of a UAV (Rel-19 RCS table has small and large UAVs).
public enum UAVSize: String, Sendable, Equatable, CaseIterable, Codable { case small, large }

public struct MoverSpec: Sendable, Equatable {
    public var name: String
    public var moverClass: MoverClass
    /// Number of movers this entry makes; names get `-1`, `-2`, … when more than one.
    public var count: Int
    /// Whether the mover carries a UE (a phone that reports a GNSS position and can receive).
    public var carriesUE: Bool
    public var motion: MotionSpec
    /// Line in the world file, for messages raised while building the world.
    public var line: Int?
}

public enum MotionSpec: Sendable, Equatable {
    case laneFollowing(LaneFollowingSpec)
    case waypoints(WaypointMissionSpec)
    case randomWalk(RandomWalkSpec)
}

/// Vehicles on lanes and AGVs on aisles: follow a path network, keep distance to the one ahead
/// (Intelligent Driver Model, Treiber et al. 2000).
public struct LaneFollowingSpec: Sendable, Equatable {
    /// Lanes or aisles to start on; empty means any.
    public var paths: [String]
    /// Desired cruise speed, m/s (drawn per mover from the range); capped by speed limits.
    public var desiredSpeed: ClosedRange<Double>
    /// Maximum acceleration a, m/s².
    public var maxAcceleration: Double
    /// Comfortable deceleration b, m/s².
    public var comfortableDeceleration: Double
    /// Standstill gap s0, m.
    public var minGap: Double
    /// Desired time headway T, s.
    public var timeHeadway: Double
    /// Mover length, m (bumper to bumper).
    public var length: Double
    /// Height of the reflection centre above the floor, m.
    public var height: Double
}

public struct WaypointMissionSpec: Sendable, Equatable {
    public var waypoints: [Vec3]
    /// Horizontal speed, m/s.
    public var speed: Double
    /// Largest vertical speed, m/s.
    public var climbRate: Double
    /// Time spent hovering at each waypoint, s.
    public var loiter: Double
    /// Fly the mission again from the first waypoint after the last.
    public var repeats: Bool
    public var size: UAVSize
}

public struct RandomWalkSpec: Sendable, Equatable {
    /// Walking speed drawn per leg, m/s.
    public var speed: ClosedRange<Double>
    /// Pause at each waypoint, s.
    public var pause: ClosedRange<Double>
    /// Where waypoints are drawn: a rectangle [[x0, y0], [x1, y1]] (default: the whole map).
    public var area: (Point2, Point2)?
    /// Walk along this aisle instead of across the floor.
    public var aisle: String?
    /// Height of the reflection centre / UE, m.
    public var height: Double
    /// Body radius kept clear of obstacles, m.
    public var radius: Double

    public static func == (a: Self, b: Self) -> Bool {
        a.speed == b.speed && a.pause == b.pause && a.area?.0 == b.area?.0 && a.area?.1 == b.area?.1
            && a.aisle == b.aisle && a.height == b.height && a.radius == b.radius
    }
}

/// GNSS position error and clock of the UEs movers carry.
public struct UESpec: Sendable, Equatable {
    /// Horizontal GNSS error per axis, 1σ, m.
    public var gnssSigmaHorizontal: Double
    /// Vertical GNSS error, 1σ, m.
    public var gnssSigmaVertical: Double
    /// Correlation time of the GNSS error (first-order Gauss–Markov), s.
    public var gnssCorrelationTime: Double
    /// Probability per frame that the reported position is an outlier.
    public var gnssOutlierProbability: Double
    /// Mean size of an outlier's horizontal error, m (exponentially distributed, random direction).
    public var gnssOutlierScale: Double
    /// UE timing offsets are drawn uniformly in ±this, seconds (world files give nanoseconds).
    public var clockOffsetMax: Double
    /// Clock drift, 1σ, seconds per second (world files give ns/s).
    public var clockDriftSigma: Double
}

// MARK: - Infrastructure

public enum BSTier: String, Sendable, Equatable, CaseIterable, Codable { case macro, micro }

public struct OperatorSpec: Sendable, Equatable {
    public var name: String
    /// Clock offset of this operator's network relative to the reference, seconds.
    public var clockOffset: Double
    /// Translation of this operator's coordinate frame relative to the world frame, m.
    public var frameOffset: Vec3
    /// Rotation of this operator's frame about z, radians.
    public var frameRotation: Double
}

public struct BaseStationSpec: Sendable, Equatable {
    public var name: String
    public var tier: BSTier
    public var operatorName: String
    /// Antenna position, m (z is the antenna height).
    public var position: Vec3
    public var carrierFrequency: Double  // Hz
    public var bandwidth: Double  // Hz
    public var subcarrierSpacing: Double  // Hz
    public var txPower: Double  // dBm
    /// Antenna array size (elements along horizontal, vertical).
    public var arraySize: SIMD2<Int>
    public var noiseFigure: Double  // dB
    /// Clock offset of this BS relative to its operator's clock, seconds.
    public var clockOffset: Double
    /// Boresight azimuth, radians (for sectorised arrays; 0 faces +x).
    public var azimuth: Double
    /// An optional second band (`secondBand`): the BS senses on both and fuses them (transmit
    /// power, array and noise figure shared with the primary band).
    public var secondBand: BandSpec? = nil
}

/// A base station's second sensing band (`secondBand` in the world file).
public struct BandSpec: Sendable, Equatable {
    public var carrierFrequency: Double  // Hz
    public var bandwidth: Double  // Hz
    public var subcarrierSpacing: Double  // Hz

    public init(carrierFrequency: Double, bandwidth: Double, subcarrierSpacing: Double) {
        (self.carrierFrequency, self.bandwidth, self.subcarrierSpacing) = (carrierFrequency, bandwidth, subcarrierSpacing)
    }
}

public struct RISSpec: Sendable, Equatable {
    public var name: String
    public var position: Vec3
    /// Normal of the panel: azimuth and elevation, radians.
    public var azimuth: Double
    public var elevation: Double
    /// Elements along the panel's horizontal and vertical axes.
    public var elements: SIMD2<Int>
    /// The base station that senses through the panel (`baseStation`, or the nearest one in
    /// line of sight; see `WorldDecoder.servingBaseStation`).
    public var baseStation: String = ""
}

// MARK: - Sensing and tracking (grown by later capabilities)

public enum SensingMode: String, Sendable, Equatable, CaseIterable, Codable {
    case monostatic
    case trpTrp = "trp-trp"
    case trpUE = "trp-ue"
    case hybrid
    case cellFree = "cell-free"
}

/// How line of sight between two points is decided.
public enum LineOfSightModel: String, Sendable, Equatable, CaseIterable, Codable {
    /// `geometry` where the map has obstacles, else `stochastic`.
    case auto
    /// Ray–obstacle intersection only.
    case geometry
    /// 38.901 LOS probability only (spatially consistent draws).
    case stochastic
    /// LOS only if the ray is clear and the stochastic draw says LOS (small clutter on top of
    /// the mapped obstacles).
    case both
}

/// The sensing chain's settings. Defaults are in `SensingSpec.default` and worlds/README.md.
public struct SensingSpec: Sendable, Equatable {
    public var mode: SensingMode
    /// The channel model by name (TwinSensing `ChannelModels`).
    public var channel = "radar-equation"
    /// Post-integration SNR below which an echo is missed, dB.
    public var detectionThresholdDb: Double
    /// OFDM symbols coherently integrated per sensing frame.
    public var symbolsPerFrame: Int
    public var lineOfSight: LineOfSightModel
    /// Longest leg (anchor–target distance) that is sensed, m.
    public var maxRange: Double
    /// Longest TRP–TRP baseline used as a bistatic pair, m.
    public var maxBaseline: Double
    /// Extra chance that a detectable echo is missed anyway.
    public var missProbability: Double
    /// Chance per link, target and frame of a Type III (NLOS, via a scatterer) path.
    public var nlosProbability: Double
    /// Mean excess length of a Type III path over the Type II path, m (exponential).
    public var nlosExcessMean: Double
    /// Extra loss of a Type III path (the scatterer's reflection), dB.
    public var nlosExtraLossDb: Double
    /// Mean number of clutter false alarms per link and frame (Poisson).
    public var clutterRate: Double
    /// Mean SNR of a false alarm above the detection threshold, dB (exponential).
    public var clutterSNRMeanDb: Double
    /// Static background reflectors placed on the map (echo every frame).
    public var backgroundReflectors: Int
    /// Radar cross section of a background reflector, dBsm.
    public var backgroundRCSDbsm: Double
    /// Cell-free: chance that an echo is attributed to the right transmitter.
    public var identificationAccuracy: Double
    /// Whether transmitting base stations sweep beams and so report an angle of departure.
    public var beamSweep: Bool
    /// Extra per-BS timing offset drawn uniformly in ±this, s (world files give ns): the STO.
    public var stoMax: Double
    /// UE antenna array (horizontal, vertical).
    public var ueArray: SIMD2<Int>
    /// UE receiver noise figure, dB.
    public var ueNoiseFigureDb: Double
    /// Correlation time of a target's RCS fluctuation, s.
    public var rcsCorrelationTime: Double
    /// Whether base stations sense through the world's RIS panels (`LinkKind.ris`).
    public var ris: Bool = true
    /// Abstract (CRLB draws) or waveform (signal processing) per link class (WaveformSpec.swift).
    public var fidelity = SensingFidelityPlan()
    /// Settings of waveform fidelity.
    public var waveform = WaveformSpec.default

    public static let `default` = SensingSpec(
        mode: .monostatic, detectionThresholdDb: 10, symbolsPerFrame: 14, lineOfSight: .auto,
        maxRange: 300, maxBaseline: 500, missProbability: 0, nlosProbability: 0.2, nlosExcessMean: 10,
        nlosExtraLossDb: 6, clutterRate: 0.2, clutterSNRMeanDb: 20, backgroundReflectors: 0, backgroundRCSDbsm: 10,
        identificationAccuracy: 0.95, beamSweep: true, stoMax: 0, ueArray: SIMD2(4, 1), ueNoiseFigureDb: 9,
        rcsCorrelationTime: 1)
}

/// The world file's `localizer:` section: which localiser the fusion centre runs and its
/// settings. Defaults are in `LocalizerSpec.default` and worlds/README.md.
public struct LocalizerSpec: Sendable, Equatable {
    /// A localiser registered in TwinLocalization's `Localizers` (`gauss-newton`, `ellipsoid`,
    /// `time-angle`, `joint`, `ue-selection`, or one a library user added).
    public var name: String
    /// Probability of the χ² gates that group echoes into targets (time–angle points and
    /// single ranges or angles).
    public var gateProbability: Double
    /// Links a target needs before it is reported.
    public var minimumLinks: Int
    /// A fit failing the χ² residual test at this probability loses its worst link or is rejected.
    public var residualProbability: Double
    /// `ue-selection`: probability of the χ² test that drops a UE anchor.
    public var dropProbability: Double
    /// `joint`: largest number of base stations in one candidate subset.
    public var jointMaxSubset: Int
    /// `joint`: partial mappings the search may visit per frame before it stops (results then
    /// flagged low quality).
    public var jointSearchBudget: Int
    /// The fusion centre's belief about the UEs' GNSS accuracy, 1σ per axis, m; nil takes
    /// `ue.gnssSigmaHorizontal`.
    public var ueReportSigma: Double?

    public static let `default` = LocalizerSpec(
        name: "gauss-newton", gateProbability: 0.999, minimumLinks: 2, residualProbability: 0.999, dropProbability: 0.999,
        jointMaxSubset: 6, jointSearchBudget: 200_000, ueReportSigma: nil)
}
extension MoverClass: CodingKeyRepresentable {}
