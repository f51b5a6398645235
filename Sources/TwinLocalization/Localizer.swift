import Foundation
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

    public init(
        association: EchoAssociationSettings = .init(),
        joint: AssociationSettings = .init(
            maximumSubsetSize: LocalizerSpec.default.jointMaxSubset, searchBudget: LocalizerSpec.default.jointSearchBudget),
        residualProbability: Double = 0.999,
        dropProbability: Double = 0.999
    ) {
        self.association = association
        self.joint = joint
        self.residualProbability = residualProbability
        self.dropProbability = dropProbability
    }
}

extension LocalizerSettings {
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

extension LocalizerKind {
    /// A localiser of this kind.
    public func make(_ settings: LocalizerSettings = .init()) -> any Localizer {
        switch self {
        case .gaussNewton: GaussNewtonLocalizer(settings: settings, mode: .angles)
        case .ellipsoid: GaussNewtonLocalizer(settings: settings, mode: .delayOnly)
        case .timeAngle: TimeAngleLocalizer(settings: settings)
        case .joint: JointLocalizer(settings: settings)
        case .ueSelection: GaussNewtonLocalizer(settings: settings, mode: .ueSelection)
        }
    }
}

extension Localization.Flag: CodingKeyRepresentable {}
