import TwinMath

/// The result of a weighted least-squares localisation (docs/domain.md §7.1).
///
/// For observations r_k with variances σ_k², weights w_k = 1/σ_k² and model h_k(x):
/// - `position` x̂ minimises Σ w_k (r_k − h_k(x))²;
/// - `covariance` is (JᵀWJ)⁻¹ at x̂, J the n×3 Jacobian with rows ∇h_k(x̂)ᵀ: the Cramér–Rao
///   bound linearised at the estimate, in m²;
/// - `residual` is Σ w_k (r_k − h_k(x̂))², which for correct variances and Gaussian noise is
///   χ²-distributed with n − 3 degrees of freedom (mean n − 3). A residual much larger than
///   `degreesOfFreedom` says an observation is wrong (NLOS, wrong association).
///
/// Check `flags` before trusting the covariance: in a direction the observations do not
/// constrain (`underdetermined`) the covariance carries `uninformativeVariance` instead of
/// an infinite one, so it stays finite and usable by a tracker (which then ignores that
/// direction) but it is not a measurement.
public struct PositionEstimate: Sendable, Equatable {
    /// Quality warnings.
    public enum Flag: Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Poor geometry (condition number of JᵀWJ above `GaussNewton.conditionLimit`) or the
        /// iteration did not converge: the position may be far off even if the residual is small.
        case lowQuality
        /// Fewer than 3 independent observations at the solution: JᵀWJ is singular to working
        /// precision (e.g. the target lies in the plane of coplanar anchors, where the height
        /// is unobservable to first order).
        case underdetermined

        public var description: String {
            switch self {
            case .lowQuality: "low quality"
            case .underdetermined: "underdetermined"
            }
        }
    }

    /// Variance (m²) reported along a direction the observations do not constrain:
    /// (10⁶ m)², far beyond any scene, yet finite so downstream arithmetic never meets ∞·0.
    public static let uninformativeVariance = 1e12

    /// Estimated target position, metres.
    public var position: Vec3
    /// 3×3 covariance (JᵀWJ)⁻¹ at `position`, m².
    public var covariance: Matrix
    /// Weighted sum of squared residuals Σ w·r² (dimensionless, χ² with n − 3 dof).
    public var residual: Double
    /// Number of observations n used.
    public var observationCount: Int
    /// Number of linearisations (outer Gauss–Newton iterations), at most `maxIterations`.
    public var iterations: Int
    /// True when the step-size criterion was met within the iteration limit.
    public var converged: Bool
    /// Condition number λ_max/λ_min of JᵀWJ at `position` (∞ when singular).
    public var conditionNumber: Double
    /// Quality warnings; empty for a trustworthy estimate.
    public var flags: Set<Flag>
    /// Number of unknowns fitted: 3, plus one per jointly estimated clock offset.
    public var unknownCount: Int

    public init(
        position: Vec3, covariance: Matrix, residual: Double, observationCount: Int, iterations: Int,
        converged: Bool, conditionNumber: Double, flags: Set<Flag>, unknownCount: Int = 3
    ) {
        self.position = position
        self.covariance = covariance
        self.residual = residual
        self.observationCount = observationCount
        self.iterations = iterations
        self.converged = converged
        self.conditionNumber = conditionNumber
        self.flags = flags
        self.unknownCount = unknownCount
    }

    /// Degrees of freedom of `residual`: n minus the unknowns (0 when not positive).
    public var degreesOfFreedom: Int { Swift.max(observationCount - unknownCount, 0) }
}
