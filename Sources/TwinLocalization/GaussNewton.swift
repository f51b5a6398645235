import TwinMath

/// Weighted least-squares localisation from range observations by Gauss–Newton with
/// Levenberg–Marquardt damping (docs/domain.md §7.1, §7.2).
///
/// Minimises S(x) = Σₖ wₖ (rₖ − hₖ(x))², wₖ = 1/σₖ², hₖ the one-way range or the sum range
/// (see `RangeObservation`). Each iteration linearises at x with the gradients gₖ = ∇hₖ(x),
/// forms the 3×3 normal equations N = Σ wₖ gₖgₖᵀ = JᵀWJ and b = Σ wₖ gₖ (rₖ − hₖ(x)), and
/// solves (N + λ·D) δ = b with D = diag(N) (Marquardt's scaling). A step that lowers S is
/// accepted and λ shrinks tenfold (towards pure Gauss–Newton, quadratic convergence near a
/// zero-residual solution); a step that does not is retried with λ ten times larger (towards
/// a short gradient step), so a poor start, even tens of metres off, still converges.
///
/// It stops (converged) when a step with little damping (λ ≤ 1) is shorter than
/// tolerance·(1 + |x|) metres, or promises to lower S by less than 10⁻¹⁰·S. The second test
/// matters for noisy data: S is then a sum of O(1) terms whose rounding (≈ 10⁻¹³ for ranges of
/// tens of metres) stops a 10⁻⁷ m step from lowering it measurably, while a 10⁻¹⁰ relative
/// change of S moves the estimate by only ~10⁻⁵ standard deviations. Reaching `maxIterations`
/// linearisations first, or λ growing beyond 10¹⁶, leaves `converged` false. The result's covariance is N⁻¹ at the solution, computed from the
/// eigen-decomposition N = V diag(μ) Vᵀ (TwinMath `symmetricEigen`): Σ = V diag(1/μ) Vᵀ, with
/// `PositionEstimate.uninformativeVariance` in place of 1/μ along any direction whose μ is
/// below 10⁻¹² μ_max (flagged `underdetermined`).
///
/// The iteration itself allocates nothing: SIMD3 gradients and an explicit 3×3 Cholesky solve.
/// Local minima exist (mirror images across coplanar anchors, ghost intersections of
/// ellipsoids); the solver finds the one the start leads to, which is why the start matters
/// (`LinearInitializer`).
public enum GaussNewton {
    /// Condition number μ_max/μ_min of JᵀWJ above which the estimate is flagged `lowQuality`:
    /// the worst direction's standard deviation is then over 1000 times the best's (the target
    /// nearly in the anchors' plane, or anchors seen from almost one direction).
    public static let conditionLimit = 1e6

    /// Relative eigenvalue μ/μ_max below which a direction counts as unobservable.
    static let singularThreshold = 1e-12

    /// Relative cost decrease below which a further step is not worth taking.
    static let negligibleDecrease = 1e-10

    /// Localises a target from three or more range observations.
    ///
    /// - Parameters:
    ///   - observations: monostatic and/or bistatic ranges, any mix.
    ///   - initial: the starting position; when nil, `LinearInitializer` supplies one.
    ///   - preferredZ: passed to `LinearInitializer` (mirror choice for coplanar anchors)
    ///     when `initial` is nil.
    ///   - maxIterations: limit on linearisations, ≥ 1.
    ///   - tolerance: relative step-size threshold, ≥ 0.
    /// - Throws: `LocalizationError` for fewer than 3 observations, a non-finite or negative
    ///   range, a non-finite or non-positive variance, non-finite anchors or start, invalid
    ///   settings, coincident or collinear anchors. Never returns NaN.
    public static func solve(
        _ observations: [RangeObservation],
        initial: Vec3? = nil,
        preferredZ: Double? = nil,
        maxIterations: Int = 30,
        tolerance: Double = 1e-9
    ) throws(LocalizationError) -> PositionEstimate {
        guard maxIterations >= 1 else { throw .invalidSettings("maxIterations must be at least 1, got \(maxIterations)") }
        guard tolerance >= 0, tolerance.isFinite else {
            throw .invalidSettings("tolerance must be finite and non-negative, got \(tolerance)")
        }
        if let preferredZ, !preferredZ.isFinite { throw .invalidSettings("preferredZ must be finite") }
        try validate(observations)
        let start: Vec3
        if let initial {
            guard initial.isFinite else { throw .nonFiniteInitialPosition }
            start = initial
        } else {
            start = LinearInitializer.guess(observations, preferredZ: preferredZ).position
        }

        var x = start
        var current = NormalEquations(observations, at: x)
        var lambda = 1e-3
        var iterations = 0
        var converged = false
        iterating: while iterations < maxIterations {
            iterations += 1
            while true {
                let threshold = tolerance * (1 + x.norm)
                guard let step = current.dampedStep(lambda: lambda) else {
                    lambda *= 10
                    if lambda > 1e16 { break iterating }
                    continue
                }
                let trialPosition = x + step
                let trial = NormalEquations(observations, at: trialPosition)
                // δ·b ≈ the decrease the linear model promises (between half and all of it).
                let negligible =
                    lambda <= 1 && (step.norm <= threshold || step.dot(current.b) <= negligibleDecrease * current.cost)
                if trial.cost <= current.cost {
                    x = trialPosition
                    current = trial
                    lambda = Swift.max(lambda / 10, 1e-15)
                    if negligible { converged = true }
                    break
                }
                // No decrease: either at the minimum to working precision, or damp more.
                if negligible {
                    converged = true
                    break iterating
                }
                lambda *= 10
                if lambda > 1e16 { break iterating }
            }
            if converged { break }
        }

        guard x.isFinite, current.cost.isFinite else {
            throw .numerical(.nonFinite(operation: "GaussNewton.solve"))
        }
        let information = current.matrix
        let eigen: (values: [Double], vectors: Matrix)
        do {
            eigen = try information.symmetricEigen()
        } catch {
            throw .numerical(error)
        }
        let largest = Swift.max(eigen.values[2], 0)
        var covariance = Matrix(rows: 3, columns: 3)
        var unobservable = false
        for k in 0..<3 {
            let mu = eigen.values[k]
            let observable = mu > singularThreshold * largest && largest > 0
            if !observable { unobservable = true }
            let variance = observable ? 1 / mu : PositionEstimate.uninformativeVariance
            for c in 0..<3 {
                for r in 0..<3 {
                    covariance[r, c] += variance * eigen.vectors[r, k] * eigen.vectors[c, k]
                }
            }
        }
        let smallest = eigen.values[0]
        let conditionNumber = smallest > 0 ? largest / smallest : Double.infinity
        var flags = Set<PositionEstimate.Flag>()
        if unobservable { flags.insert(.underdetermined) }
        if !converged || unobservable || !(conditionNumber <= conditionLimit) { flags.insert(.lowQuality) }
        return PositionEstimate(
            position: x, covariance: covariance, residual: current.cost, observationCount: observations.count,
            iterations: iterations, converged: converged, conditionNumber: conditionNumber, flags: flags)
    }
}

/// The weighted cost S(x), the 3×3 normal matrix N = JᵀWJ (upper triangle) and
/// b = JᵀW(r − h(x)) at one position, accumulated in one pass without allocation.
struct NormalEquations {
    var n00 = 0.0, n01 = 0.0, n02 = 0.0, n11 = 0.0, n12 = 0.0, n22 = 0.0
    var b = Vec3.zero
    var cost = 0.0

    init(_ observations: [RangeObservation], at x: Vec3) {
        for observation in observations {
            let w = 1 / observation.variance
            let g: Vec3
            let h: Double
            switch observation.geometry {
            case let .monostatic(anchor):
                let e = x - anchor
                let d = e.norm
                h = d
                g = d > 0 ? e / d : .zero
            case let .bistatic(transmitter, receiver):
                let e1 = x - transmitter
                let e2 = x - receiver
                let d1 = e1.norm
                let d2 = e2.norm
                h = d1 + d2
                g = (d1 > 0 ? e1 / d1 : .zero) + (d2 > 0 ? e2 / d2 : .zero)
            }
            let r = observation.value - h
            let wg = w * g
            n00 += wg.x * g.x
            n01 += wg.x * g.y
            n02 += wg.x * g.z
            n11 += wg.y * g.y
            n12 += wg.y * g.z
            n22 += wg.z * g.z
            b += r * wg
            cost += w * r * r
        }
    }

    /// Solves (N + λ·D) δ = b by an explicit Cholesky factorisation, D = diag(N) with each
    /// entry at least 10⁻⁹ of the largest (so an unobservable direction is still damped).
    /// Returns nil when the damped matrix is not numerically positive definite.
    func dampedStep(lambda: Double) -> Vec3? {
        let floor = 1e-9 * Swift.max(n00, n11, n22)
        let a00 = n00 + lambda * Swift.max(n00, floor)
        let a11 = n11 + lambda * Swift.max(n11, floor)
        let a22 = n22 + lambda * Swift.max(n22, floor)
        // A = L·Lᵀ, L lower triangular.
        guard a00 > 0 else { return nil }
        let l00 = a00.squareRoot()
        let l10 = n01 / l00
        let l20 = n02 / l00
        let p11 = a11 - l10 * l10
        guard p11 > 1e-14 * a11 else { return nil }
        let l11 = p11.squareRoot()
        let l21 = (n12 - l20 * l10) / l11
        let p22 = a22 - l20 * l20 - l21 * l21
        guard p22 > 1e-14 * a22 else { return nil }
        let l22 = p22.squareRoot()
        // L·y = b, then Lᵀ·δ = y.
        let y0 = b.x / l00
        let y1 = (b.y - l10 * y0) / l11
        let y2 = (b.z - l20 * y0 - l21 * y1) / l22
        let d2 = y2 / l22
        let d1 = (y1 - l21 * d2) / l11
        let d0 = (y0 - l10 * d1 - l20 * d2) / l00
        let step = Vec3(d0, d1, d2)
        return step.isFinite ? step : nil
    }

    /// N as a symmetric 3×3 TwinMath matrix.
    var matrix: Matrix {
        Matrix(rows: [[n00, n01, n02], [n01, n11, n12], [n02, n12, n22]])
    }
}
