import TwinMath

/// One angle of a target seen from an anchor (docs/domain.md §2 angle conventions), in the world
/// frame: the azimuth from +x counter-clockwise or the elevation above the horizontal plane of
/// the direction from `anchor` towards the target. An angle of arrival is anchored at the
/// receiver, an angle of departure at the transmitter.
public struct AngleObservation: Sendable, Equatable {
    public enum Component: String, Sendable, Equatable, Codable {
        case azimuth, elevation
    }

    public var anchor: Vec3
    public var component: Component
    /// Radians.
    public var value: Double
    /// Variance of `value`, rad².
    public var variance: Double

    public init(anchor: Vec3, component: Component, value: Double, variance: Double) {
        self.anchor = anchor
        self.component = component
        self.value = value
        self.variance = variance
    }

    /// The noise-free angle at position `x`.
    public func predicted(at x: Vec3) -> Double {
        let d = x - anchor
        switch component {
        case .azimuth: return Double.atan2(y: d.y, x: d.x)
        case .elevation: return Double.atan2(y: d.z, x: (d.x * d.x + d.y * d.y).squareRoot())
        }
    }

    /// Measured minus predicted, azimuths wrapped into (−π, π].
    func innovation(at x: Vec3) -> Double {
        let r = value - predicted(at: x)
        guard component == .azimuth else { return r }
        return wrappedAngle(r)
    }

    /// ∇ of the angle at `x`; zero on the vertical through the anchor (where the azimuth is
    /// undefined) and at the anchor itself, so the result is always finite.
    public func gradient(at x: Vec3) -> Vec3 {
        let d = x - anchor
        let rho2 = d.x * d.x + d.y * d.y
        guard rho2 > 0 else { return .zero }
        switch component {
        case .azimuth:
            return Vec3(-d.y / rho2, d.x / rho2, 0)
        case .elevation:
            let rho = rho2.squareRoot()
            let r2 = rho2 + d.z * d.z
            return Vec3(-d.x * d.z / (rho * r2), -d.y * d.z / (rho * r2), rho / r2)
        }
    }
}

/// `a` wrapped into (−π, π].
func wrappedAngle(_ a: Double) -> Double {
    guard a.isFinite else { return a }
    var x = a.remainder(dividingBy: 2 * .pi)
    if x <= -.pi { x += 2 * .pi }
    return x
}

/// Everything measured of one target, for a joint maximum-likelihood fit (docs/domain.md §7.1 with
/// angles and unknown clock offsets, §3).
///
/// The unknowns are the position x and `offsetCount` clock offsets b₁…b_m (metres of path):
/// a range with `offsetGroup[k] = g` is modelled as h_k(x) + b_g. Each group must be shared by
/// several observations to be informative: an offset seen by one range only absorbs that range
/// entirely (the fit then ignores it, as it should).
public struct TargetObservations: Sendable, Equatable {
    public var ranges: [RangeObservation]
    /// For each range, the index of its unknown offset, nil when the range is calibrated.
    public var offsetGroup: [Int?]
    public var angles: [AngleObservation]
    /// Number of unknown offsets (every group index is below it).
    public var offsetCount: Int

    public init(ranges: [RangeObservation], offsetGroup: [Int?]? = nil, angles: [AngleObservation] = [], offsetCount: Int = 0) {
        self.ranges = ranges
        self.offsetGroup = offsetGroup ?? Array(repeating: nil, count: ranges.count)
        self.angles = angles
        self.offsetCount = offsetCount
    }

    /// Number of scalar observations.
    public var count: Int { ranges.count + angles.count }

    /// Number of unknowns: 3 + `offsetCount`.
    public var unknownCount: Int { 3 + offsetCount }
}

/// A joint fit's clock offsets (metres of path, c·δ) and their variances (m²), by group.
public struct OffsetEstimate: Sendable, Equatable {
    public var values: [Double]
    public var variances: [Double]
}

extension GaussNewton {
    /// Maximum-likelihood position (and unknown clock offsets) from ranges, sum ranges and
    /// angles: minimises Σ w (r − h(x) − b)² + Σ w (θ − θ(x))², azimuth innovations wrapped.
    ///
    /// The same Levenberg–Marquardt iteration as the range-only `solve(_:initial:…)`, on
    /// 3 + m unknowns. The covariance of the position is the 3×3 block of (JᵀWJ)⁻¹, so an
    /// unknown offset widens it exactly as much as it should; `underdetermined` is flagged when
    /// JᵀWJ is singular (too few independent observations for the unknowns). With no angles and
    /// no offsets it gives the same answer as the range-only solver.
    ///
    /// - Throws: `LocalizationError` for fewer observations than unknowns, non-finite values,
    ///   non-positive variances, an offset group index out of range, a non-finite start.
    public static func solve(
        _ target: TargetObservations, initial: Vec3, maxIterations: Int = 30, tolerance: Double = 1e-9
    ) throws(LocalizationError) -> (estimate: PositionEstimate, offsets: OffsetEstimate) {
        guard maxIterations >= 1 else { throw .invalidSettings("maxIterations must be at least 1, got \(maxIterations)") }
        guard tolerance >= 0, tolerance.isFinite else {
            throw .invalidSettings("tolerance must be finite and non-negative, got \(tolerance)")
        }
        guard initial.isFinite else { throw .nonFiniteInitialPosition }
        let p = target.unknownCount
        guard target.count >= p else { throw .tooFewObservations(count: target.count, required: p) }
        guard target.offsetGroup.count == target.ranges.count else {
            throw .invalidSettings("offsetGroup has \(target.offsetGroup.count) entries for \(target.ranges.count) ranges")
        }
        for (index, observation) in target.ranges.enumerated() {
            guard observation.value.isFinite else { throw .nonFiniteRange(index: index) }
            guard observation.value >= 0 else { throw .negativeRange(index: index, value: observation.value) }
            guard observation.variance.isFinite else { throw .nonFiniteVariance(index: index) }
            guard observation.variance > 0 else { throw .nonPositiveVariance(index: index, variance: observation.variance) }
            let foci = observation.foci
            guard foci.transmitter.isFinite, foci.receiver.isFinite else { throw .nonFiniteAnchor(index: index) }
            if let g = target.offsetGroup[index], !(0..<target.offsetCount).contains(g) {
                throw .invalidSettings("range \(index): offset group \(g) outside 0..<\(target.offsetCount)")
            }
        }
        for (k, angle) in target.angles.enumerated() {
            let index = target.ranges.count + k
            guard angle.value.isFinite else { throw .nonFiniteRange(index: index) }
            guard angle.variance.isFinite else { throw .nonFiniteVariance(index: index) }
            guard angle.variance > 0 else { throw .nonPositiveVariance(index: index, variance: angle.variance) }
            guard angle.anchor.isFinite else { throw .nonFiniteAnchor(index: index) }
        }

        var theta = [Double](repeating: 0, count: p)
        theta[0] = initial.x
        theta[1] = initial.y
        theta[2] = initial.z
        // Start each offset at the mean misfit of its ranges.
        if target.offsetCount > 0 {
            var sums = [Double](repeating: 0, count: target.offsetCount)
            var counts = [Double](repeating: 0, count: target.offsetCount)
            for (k, r) in target.ranges.enumerated() {
                guard let g = target.offsetGroup[k] else { continue }
                sums[g] += r.value - r.predicted(at: initial)
                counts[g] += 1
            }
            for g in 0..<target.offsetCount where counts[g] > 0 { theta[3 + g] = sums[g] / counts[g] }
        }
        var current = GeneralNormalEquations(target, theta)
        var lambda = 1e-3
        var iterations = 0
        var converged = false
        iterating: while iterations < maxIterations {
            iterations += 1
            while true {
                let position = Vec3(theta[0], theta[1], theta[2])
                let threshold = tolerance * (1 + position.norm)
                guard let step = current.dampedStep(lambda: lambda) else {
                    lambda *= 10
                    if lambda > 1e16 { break iterating }
                    continue
                }
                var trialTheta = theta
                for i in 0..<p { trialTheta[i] += step[i] }
                let trial = GeneralNormalEquations(target, trialTheta)
                var stepNorm = 0.0
                var promised = 0.0
                for i in 0..<p {
                    stepNorm += step[i] * step[i]
                    promised += step[i] * current.b[i]
                }
                let negligible =
                    lambda <= 1 && (stepNorm.squareRoot() <= threshold || promised <= negligibleDecrease * current.cost)
                if trial.cost <= current.cost {
                    theta = trialTheta
                    current = trial
                    lambda = Swift.max(lambda / 10, 1e-15)
                    if negligible { converged = true }
                    break
                }
                if negligible {
                    converged = true
                    break iterating
                }
                lambda *= 10
                if lambda > 1e16 { break iterating }
            }
            if converged { break }
        }
        guard theta.allSatisfy(\.isFinite), current.cost.isFinite else {
            throw .numerical(.nonFinite(operation: "GaussNewton.solve(target)"))
        }

        // Covariance (JᵀWJ)⁻¹ by eigen-decomposition, uninformative along singular directions.
        let information = Matrix(rows: p, columns: p, columnMajor: current.fullMatrix)
        let eigen: (values: [Double], vectors: Matrix)
        do {
            eigen = try information.symmetricEigen()
        } catch {
            throw .numerical(error)
        }
        let largest = Swift.max(eigen.values[p - 1], 0)
        var full = [Double](repeating: 0, count: p * p)
        var unobservable = false
        for k in 0..<p {
            let mu = eigen.values[k]
            let observable = mu > singularThreshold * largest && largest > 0
            if !observable { unobservable = true }
            let variance = observable ? 1 / mu : PositionEstimate.uninformativeVariance
            for c in 0..<p {
                let vc = eigen.vectors[c, k]
                for r in 0..<p { full[c * p + r] += variance * eigen.vectors[r, k] * vc }
            }
        }
        var covariance = Matrix(rows: 3, columns: 3)
        for c in 0..<3 { for r in 0..<3 { covariance[r, c] = full[c * p + r] } }
        let smallest = eigen.values[0]
        let conditionNumber = smallest > 0 ? largest / smallest : Double.infinity
        var flags = Set<PositionEstimate.Flag>()
        if unobservable { flags.insert(.underdetermined) }
        if !converged || unobservable || !(conditionNumber <= conditionLimit) { flags.insert(.lowQuality) }
        let estimate = PositionEstimate(
            position: Vec3(theta[0], theta[1], theta[2]), covariance: covariance, residual: current.cost,
            observationCount: target.count, iterations: iterations, converged: converged, conditionNumber: conditionNumber,
            flags: flags, unknownCount: p)
        let offsets = OffsetEstimate(
            values: Array(theta[3...]), variances: (0..<target.offsetCount).map { full[(3 + $0) * p + 3 + $0] })
        return (estimate, offsets)
    }
}

/// Normal equations of the joint fit on p = 3 + m unknowns, full p×p (column-major).
struct GeneralNormalEquations {
    let p: Int
    var n: [Double]
    var b: [Double]
    var cost = 0.0

    init(_ target: TargetObservations, _ theta: [Double]) {
        let p = target.unknownCount
        self.p = p
        n = [Double](repeating: 0, count: p * p)
        b = [Double](repeating: 0, count: p)
        let x = Vec3(theta[0], theta[1], theta[2])
        for (k, observation) in target.ranges.enumerated() {
            let w = 1 / observation.variance
            let g = observation.gradient(at: x)
            var h = observation.predicted(at: x)
            let group = target.offsetGroup[k]
            if let group { h += theta[3 + group] }
            let r = observation.value - h
            accumulate(w: w, g: g, offset: group.map { 3 + $0 }, r: r)
        }
        for angle in target.angles {
            accumulate(w: 1 / angle.variance, g: angle.gradient(at: x), offset: nil, r: angle.innovation(at: x))
        }
    }

    /// Adds one observation with position gradient `g` and, when `offset` is set, derivative 1
    /// with respect to that unknown.
    private mutating func accumulate(w: Double, g: Vec3, offset: Int?, r: Double) {
        let gs = [g.x, g.y, g.z]
        for c in 0..<3 {
            for rr in 0..<3 { n[c * p + rr] += w * gs[rr] * gs[c] }
            b[c] += w * gs[c] * r
        }
        if let o = offset {
            for i in 0..<3 {
                n[o * p + i] += w * gs[i]
                n[i * p + o] += w * gs[i]
            }
            n[o * p + o] += w
            b[o] += w * r
        }
        cost += w * r * r
    }

    var fullMatrix: [Double] { n }

    /// Solves (N + λ·diag(N)) δ = b by Cholesky; nil when not numerically positive definite.
    func dampedStep(lambda: Double) -> [Double]? {
        var largest = 0.0
        for i in 0..<p { largest = Swift.max(largest, n[i * p + i]) }
        let floor = 1e-9 * largest
        var a = n
        for i in 0..<p { a[i * p + i] += lambda * Swift.max(n[i * p + i], floor) }
        // In-place lower Cholesky on the column-major copy.
        var l = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            var d = a[j * p + j]
            for k in 0..<j { d -= l[k * p + j] * l[k * p + j] }
            guard d > 1e-14 * a[j * p + j], d > 0 else { return nil }
            let ljj = d.squareRoot()
            l[j * p + j] = ljj
            for i in (j + 1)..<p {
                var s = a[j * p + i]
                for k in 0..<j { s -= l[k * p + i] * l[k * p + j] }
                l[j * p + i] = s / ljj
            }
        }
        var y = b
        for i in 0..<p {
            var s = y[i]
            for k in 0..<i { s -= l[k * p + i] * y[k] }
            y[i] = s / l[i * p + i]
        }
        var x = y
        for i in stride(from: p - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<p { s -= l[i * p + k] * x[k] }
            x[i] = s / l[i * p + i]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
