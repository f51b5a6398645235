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

/// Quantile of χ² with k dof at probability p: the Wilson–Hilferty approximation
/// k(1 − 2/(9k) + z·√(2/(9k)))³ (z the standard normal quantile of p) refined by Newton steps
/// on the regularised incomplete gamma function P(k/2, x/2) = p; relative error below 1e-10.
public func chiSquareQuantile(probability p: Double, degreesOfFreedom k: Int) -> Double {
    let kd = Double(Swift.max(k, 1))
    let a = 2 / (9 * kd)
    let t = 1 - a + normalQuantile(p) * a.squareRoot()
    var x = Swift.max(kd * t * t * t, 1e-3)
    let half = kd / 2
    let logNormaliser = lgamma(half) + half * Double.log(2)
    for _ in 0..<50 {
        let f = regularizedLowerGamma(half, x / 2) - p
        // χ² density at x.
        let density = Double.exp((half - 1) * Double.log(x) - x / 2 - logNormaliser)
        guard density > 0 else { break }
        var next = x - f / density
        if next <= 0 { next = x / 2 }
        if abs(next - x) <= 1e-12 * x {
            x = next
            break
        }
        x = next
    }
    return x
}

/// P(a, x), the regularised lower incomplete gamma function: its series for x < a + 1, else
/// one minus the continued fraction of Q (Lentz's method), as in Numerical Recipes §6.2.
func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
    guard x > 0 else { return 0 }
    let front = a * Double.log(x) - x - lgamma(a)
    if x < a + 1 {
        var term = 1 / a
        var sum = term
        var n = a
        for _ in 0..<500 {
            n += 1
            term *= x / n
            sum += term
            if abs(term) < abs(sum) * 1e-16 { break }
        }
        return sum * Double.exp(front)
    }
    let tiny = 1e-300
    var b = x + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var h = d
    for i in 1...500 {
        let an = -Double(i) * (Double(i) - a)
        b += 2
        d = an * d + b
        if abs(d) < tiny { d = tiny }
        c = b + an / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16 { break }
    }
    return 1 - Double.exp(front) * h
}

/// The standard normal quantile (Acklam's algorithm, relative error below 1.2·10⁻⁹).
func normalQuantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "probability must lie in (0, 1)")
    let a = [
        -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
        2.506628277459239e+00,
    ]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
    let c = [
        -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
        2.938163982698783e+00,
    ]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    if p < low {
        let q = (-2 * Double.log(p)).squareRoot()
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    if p > 1 - low {
        let q = (-2 * Double.log(1 - p)).squareRoot()
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    let q = p - 0.5
    let r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
}
