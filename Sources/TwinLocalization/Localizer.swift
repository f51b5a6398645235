import Foundation
import TwinConfiguration
import TwinMath
import TwinWorld

/// One localised target of a frame: what a fusion centre hands to the tracker and stores.
public struct Localization: Sendable, Equatable {
    public enum Flag: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
        /// Another association explains the data about as well but puts a target elsewhere
        /// (a possible ghost), or another reported target is too close to tell apart.
        case ambiguous
        /// At least one contributing bistatic range had its clock offset removed by
        /// calibration (a Type I path or the network of calibrated links).
        case calibrated
        /// At least one clock offset was estimated jointly with the position.
        case offsetEstimated = "offset-estimated"
        /// Poor geometry, no convergence, or (joint) a search cut short by its budget.
        case lowQuality = "low-quality"
        /// Some direction is not observable; its variance is `PositionEstimate.uninformativeVariance`.
        case underdetermined
        /// UE anchor selection dropped at least one UE as inconsistent.
        case anchorsDropped = "anchors-dropped"

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Estimated position, m.
    public var position: Vec3
    /// Position covariance, m².
    public var covariance: SymmetricMatrix3
    /// Ids (`LocalizationProblem.Link.id`) of the links whose echoes were used, ascending.
    public var links: [Int]
    /// The echoes used.
    public var echoes: [EchoRef]
    /// Weighted squared residual of the fit (χ² with `degreesOfFreedom` when all is well).
    public var residual: Double
    public var degreesOfFreedom: Int
    public var flags: Set<Flag>
    /// Names of UE anchors dropped by anchor selection.
    public var droppedAnchors: [String]

    public init(
        position: Vec3, covariance: SymmetricMatrix3, links: [Int], echoes: [EchoRef], residual: Double, degreesOfFreedom: Int,
        flags: Set<Flag>, droppedAnchors: [String] = []
    ) {
        self.position = position
        self.covariance = covariance
        self.links = links
        self.echoes = echoes
        self.residual = residual
        self.degreesOfFreedom = degreesOfFreedom
        self.flags = flags
        self.droppedAnchors = droppedAnchors
    }

    /// Finite position and covariance, non-negative variances: safe to hand to a tracker.
    public var isFinite: Bool {
        position.isFinite && covariance.isFinite && residual.isFinite && covariance.xx >= 0 && covariance.yy >= 0
            && covariance.zz >= 0
    }
}

/// A frame's localisation result.
public struct LocalizationResult: Sendable, Equatable {
    public var localizations: [Localization]
    /// Groups or candidates found but not localisable (too few observations, degenerate
    /// geometry, a non-finite fit); counted, never reported as targets.
    public var rejected: Int

    public init(localizations: [Localization], rejected: Int = 0) {
        self.localizations = localizations
        self.rejected = rejected
    }
}

/// A fusion-centre localiser: unlabeled echoes of one frame in, localised targets out.
///
/// Every implementation is deterministic, never returns a non-finite localisation and never
/// traps on bad numbers: `LocalizationProblem.validate()` is checked first (a `ProblemError`
/// names the bad value), and whatever cannot be localised is counted in `rejected`.
public protocol Localizer: Sendable {
    /// The name used in world files and on the command line.
    var name: String { get }
    func localize(_ problem: LocalizationProblem) throws(ProblemError) -> LocalizationResult
}

/// Options common to the localisers, as a world file's `localizer:` section sets them.
public struct LocalizerSettings: Sendable, Equatable {
    public var association: EchoAssociationSettings
    /// For `joint` (and range-only multi-echo problems): pair-consistency ε and friends. The
    /// default caps subsets at 6 BSs and the search at 200,000 partial mappings per frame.
    public var joint: AssociationSettings
    /// A fit whose residual exceeds this χ² quantile (with the fit's degrees of freedom) is
    /// not one target: the Gauss–Newton localisers drop the worst-fitting link until it passes
    /// (at least two links stay) and reject the group otherwise; `time-angle` rejects it.
    /// Default 0.999.
    public var residualProbability: Double
    /// For `ue-selection`: a UE is dropped when removing it lowers the residual by more than
    /// the χ² quantile of this probability with as many dof as observations removed.
    public var dropProbability: Double

    /// Settings from their parts; left out, each is what the world file's defaults
    /// (`LocalizerSpec.default`, the one declaration of each key) give.
    public init(
        association: EchoAssociationSettings = LocalizerSettings.standard.association,
        joint: AssociationSettings = LocalizerSettings.standard.joint,
        residualProbability: Double = LocalizerSpec.default.residualProbability,
        dropProbability: Double = LocalizerSpec.default.dropProbability
    ) {
        self.association = association
        self.joint = joint
        self.residualProbability = residualProbability
        self.dropProbability = dropProbability
    }
}

extension LocalizerSettings {
    /// What `LocalizerSpec.default` gives.
    public static let standard = LocalizerSettings(LocalizerSpec.default)

    /// The settings a world file's `localizer:` section gives.
    public init(_ spec: LocalizerSpec) {
        self.init(
            association: EchoAssociationSettings(
                pointGate: chiSquareQuantile(probability: spec.gateProbability, degreesOfFreedom: 3),
                scalarGate: chiSquareQuantile(probability: spec.gateProbability, degreesOfFreedom: 1),
                minimumLinks: spec.minimumLinks),
            joint: AssociationSettings(maximumSubsetSize: spec.jointMaxSubset, searchBudget: spec.jointSearchBudget),
            residualProbability: spec.residualProbability, dropProbability: spec.dropProbability)
    }
}

/// The localisers by name (`localizer.name`, `--localizer`). A library user adds one with
/// `Localizers.registry.register(name, summary:) { settings in MyLocalizer(settings) }`
/// (docs/architecture.md, "Adding an algorithm").
public enum Localizers {
    public typealias Factory = @Sendable (LocalizerSettings) -> any Localizer

    public static let registry = Registry<Factory>(
        kind: "localizer",
        builtIn: [
            .init(
                name: "gauss-newton",
                summary: "maximum likelihood by Gauss–Newton on ranges, sum ranges and angles (clock offsets with no calibration estimated jointly)",
                make: { GaussNewtonLocalizer(settings: $0, mode: .angles) }),
            .init(
                name: "ellipsoid", summary: "the same on ranges and sum ranges only (delay-only ellipsoids)",
                make: { GaussNewtonLocalizer(settings: $0, mode: .delayOnly) }),
            .init(
                name: "time-angle", summary: "per-echo closed-form time–angle points fused by inverse covariance, no iteration",
                make: { TimeAngleLocalizer(settings: $0) }),
            .init(
                name: "joint",
                summary: "joint LOS identification and data association on base-station monostatic (and BS–BS sum) ranges, for range-only networks",
                make: { JointLocalizer(settings: $0) }),
            .init(
                name: "ue-selection", summary: "`gauss-newton` that also drops UEs whose reported positions disagree",
                make: { GaussNewtonLocalizer(settings: $0, mode: .ueSelection) }),
        ])

    /// The localiser `name` names with `settings`, or nil when none is registered under it.
    public static func make(_ name: String, _ settings: LocalizerSettings = .init()) -> (any Localizer)? {
        registry.factory(name).map { $0(settings) }
    }
}

extension Localization.Flag: CodingKeyRepresentable {}
