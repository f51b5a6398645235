import RealModule
import TwinMath

/// One Gaussian state estimate (a track's, or one IMM model's).
public struct ModelState: Sendable, Equatable, Codable {
    public var mean: StateVector
    public var covariance: StateMatrix

    public init(mean: StateVector, covariance: StateMatrix) {
        self.mean = mean
        self.covariance = covariance
    }
}

/// A detection's position innovation against a predicted state: ν = z − Hx, S = HPHᵀ + R,
/// with H = [I₃ 0] (the state's position block).
struct PositionInnovation {
    var nu: Vec3
    var s: SymmetricMatrix3
    var sInverse: SymmetricMatrix3
    /// The squared Mahalanobis distance νᵀS⁻¹ν.
    var distanceSquared: Double
    /// ln |S|.
    var logDeterminant: Double

    /// ln N(ν; 0, S).
    var logLikelihood: Double { -0.5 * (distanceSquared + logDeterminant + 3 * Double.log(2 * Double.pi)) }

    init?(predicted p: borrowing ModelState, position z: Vec3, covariance r: SymmetricMatrix3) {
        self.init(predicted: PredictedPosition(p), position: z, covariance: r)
    }

    init?(predicted p: PredictedPosition, position z: Vec3, covariance r: SymmetricMatrix3) {
        let s = p.covariance + r
        guard let inverse = s.inverse else { return nil }
        let det = s.determinant
        guard det > 0 else { return nil }
        nu = z - p.position
        self.s = s
        sInverse = inverse
        distanceSquared = inverse.quadratic(nu)
        logDeterminant = Double.log(det)
    }
}

/// A predicted track's position and its covariance: all that gating needs (small to copy).
struct PredictedPosition {
    var position: Vec3
    var covariance: SymmetricMatrix3

    init(_ s: borrowing ModelState) {
        position = s.mean.position
        covariance = s.covariance.positionBlock
    }
}

/// The Kalman gain K = P·Hᵀ·S⁻¹ (n × 3, as three columns) for a position measurement.
func positionGain(_ p: StateMatrix, _ sInverse: SymmetricMatrix3) -> (StateVector, StateVector, StateVector) {
    var k0 = StateVector(count: p.count), k1 = k0, k2 = k0
    for i in 0..<p.count {
        let (a, b, c) = (p[i, 0], p[i, 1], p[i, 2])
        k0[i] = a * sInverse.xx + b * sInverse.xy + c * sInverse.xz
        k1[i] = a * sInverse.xy + b * sInverse.yy + c * sInverse.yz
        k2[i] = a * sInverse.xz + b * sInverse.yz + c * sInverse.zz
    }
    return (k0, k1, k2)
}

extension ModelState {
    /// The Kalman update with a position measurement through its innovation:
    /// x ← x + Kν, P ← P − K·S·Kᵀ (= P − K·H·P), symmetrised.
    mutating func update(_ innovation: PositionInnovation) {
        let (k0, k1, k2) = positionGain(covariance, innovation.sInverse)
        let nu = innovation.nu
        for i in 0..<mean.count { mean[i] += k0[i] * nu.x + k1[i] * nu.y + k2[i] * nu.z }
        // P − K (H P): H P is the first three rows of P, saved before P changes.
        let n = covariance.count
        var h0 = StateVector(count: n), h1 = h0, h2 = h0
        for j in 0..<n { (h0[j], h1[j], h2[j]) = (covariance[0, j], covariance[1, j], covariance[2, j]) }
        for i in 0..<n {
            let (a, b, c) = (k0[i], k1[i], k2[i])
            for j in 0..<n { covariance[i, j] -= a * h0[j] + b * h1[j] + c * h2[j] }
        }
        covariance.symmetrize()
    }

    /// The probabilistic-data-association update as a moment match of the mixture of
    /// hypotheses (none, with weight β₀ = 1 − Σβᵢ, and each gated detection i with βᵢ):
    /// with dᵢ = Kᵢνᵢ (Kᵢ from that detection's own Sᵢ = HPHᵀ + Rᵢ),
    /// x ← x + Σβᵢdᵢ and P ← P − ΣβᵢKᵢSᵢKᵢᵀ + Σβᵢdᵢdᵢᵀ − (Σβᵢdᵢ)(Σβᵢdᵢ)ᵀ.
    /// With a common R (one S) this is Bar-Shalom & Li's (1995, §6.4)
    /// P ← β₀P + (1 − β₀)(P − KSKᵀ) + K(Σβᵢνᵢνᵢᵀ − ννᵀ)Kᵀ; localisations carry their own
    /// covariances, so each hypothesis gets its own gain.
    mutating func pdaUpdate(_ innovations: [(beta: Double, innovation: PositionInnovation)]) {
        let n = covariance.count
        guard innovations.contains(where: { $0.beta > 0 }) else { return }
        let prior = covariance
        var h0 = StateVector(count: n), h1 = h0, h2 = h0
        for j in 0..<n { (h0[j], h1[j], h2[j]) = (prior[0, j], prior[1, j], prior[2, j]) }
        var mean = StateVector(count: n)
        for (beta, inn) in innovations where beta > 0 {
            let (k0, k1, k2) = positionGain(prior, inn.sInverse)
            let nu = inn.nu
            var d = StateVector(count: n)
            for r in 0..<n { d[r] = k0[r] * nu.x + k1[r] * nu.y + k2[r] * nu.z }
            for r in 0..<n {
                let (a, b, c) = (beta * k0[r], beta * k1[r], beta * k2[r])
                for col in 0..<n { covariance[r, col] -= a * h0[col] + b * h1[col] + c * h2[col] }
                mean[r] += beta * d[r]
            }
            covariance.addOuter(d, d, scale: beta)
        }
        covariance.addOuter(mean, mean, scale: -1)
        for r in 0..<n { self.mean[r] += mean[r] }
        covariance.symmetrize()
    }

    /// The extended Kalman update with one scalar raw measurement: g = ∂h/∂x at the current
    /// mean, s = gᵀPg + r, K = Pg/s, x ← x + K(z − h), P ← P − K·s·Kᵀ. Returns
    /// ln N(z − h; 0, s), or nil when the measurement is degenerate at this state (the target
    /// on the sensor, s not positive).
    mutating func update(_ m: RawMeasurement) -> Double? {
        guard let (h, gp, gv) = m.kind.evaluate(position: mean.position, velocity: mean.velocity) else { return nil }
        let n = mean.count
        var pg = StateVector(count: n)
        for i in 0..<n {
            pg[i] =
                covariance[i, 0] * gp.x + covariance[i, 1] * gp.y + covariance[i, 2] * gp.z
                + (n >= 6 ? covariance[i, 3] * gv.x + covariance[i, 4] * gv.y + covariance[i, 5] * gv.z : 0)
        }
        let s = gp.x * pg[0] + gp.y * pg[1] + gp.z * pg[2] + (n >= 6 ? gv.x * pg[3] + gv.y * pg[4] + gv.z * pg[5] : 0) + m.variance
        guard s > 0, s.isFinite else { return nil }
        var nu = m.value - h
        if m.kind.isAngle { nu = nu - 2 * Double.pi * (nu / (2 * Double.pi)).rounded() }
        let gainScale = nu / s
        for i in 0..<n { mean[i] += pg[i] * gainScale }
        covariance.addOuter(pg, pg, scale: -1 / s)
        covariance.symmetrize()
        return -0.5 * (nu * nu / s + Double.log(2 * Double.pi * s))
    }
}

/// A raw sensing measurement for measurement-level (EKF) tracking: the value a link reported,
/// the known geometry it refers to, and its error variance.
public struct RawMeasurement: Sendable, Equatable, Codable {
    public enum Kind: Sendable, Equatable, Codable {
        /// One-way range |x − a| from a monostatic sensor at a, m.
        case range(from: Vec3)
        /// Bistatic sum range |x − tx| + |x − rx|, m (clock offset already removed).
        case sumRange(transmitter: Vec3, receiver: Vec3)
        /// d|x − a|/dt = u·v (monostatic Doppler), m/s.
        case rangeRate(from: Vec3)
        /// d(|x − tx| + |x − rx|)/dt = (u_tx + u_rx)·v (bistatic Doppler), m/s.
        case sumRangeRate(transmitter: Vec3, receiver: Vec3)
        /// Azimuth of the target seen from a (from +x counter-clockwise), rad.
        case azimuth(at: Vec3)
        /// Elevation of the target seen from a (from the horizontal), rad.
        case elevation(at: Vec3)

        var isAngle: Bool {
            switch self {
            case .azimuth, .elevation: true
            default: false
            }
        }

        /// h(x) and its gradients with respect to position and velocity; nil when the
        /// target sits on the sensor (the gradient is undefined).
        func evaluate(position x: Vec3, velocity v: Vec3) -> (Double, Vec3, Vec3)? {
            switch self {
            case .range(let a):
                let d = x - a
                let r = d.norm
                guard r > 1e-9 else { return nil }
                return (r, d / r, .zero)
            case .sumRange(let tx, let rx):
                let (d1, d2) = (x - tx, x - rx)
                let (r1, r2) = (d1.norm, d2.norm)
                guard r1 > 1e-9, r2 > 1e-9 else { return nil }
                return (r1 + r2, d1 / r1 + d2 / r2, .zero)
            case .rangeRate(let a):
                let d = x - a
                let r = d.norm
                guard r > 1e-9 else { return nil }
                let u = d / r
                let rate = u.dot(v)
                return (rate, (v - rate * u) / r, u)
            case .sumRangeRate(let tx, let rx):
                var value = 0.0
                var gp = Vec3.zero, gv = Vec3.zero
                for a in [tx, rx] {
                    let d = x - a
                    let r = d.norm
                    guard r > 1e-9 else { return nil }
                    let u = d / r
                    let rate = u.dot(v)
                    value += rate
                    gp += (v - rate * u) / r
                    gv += u
                }
                return (value, gp, gv)
            case .azimuth(let a):
                let d = x - a
                let rho2 = d.x * d.x + d.y * d.y
                guard rho2 > 1e-18 else { return nil }
                return (Double.atan2(y: d.y, x: d.x), Vec3(-d.y / rho2, d.x / rho2, 0), .zero)
            case .elevation(let a):
                let d = x - a
                let rho2 = d.x * d.x + d.y * d.y
                let r2 = rho2 + d.z * d.z
                guard rho2 > 1e-18 else { return nil }
                let rho = rho2.squareRoot()
                return (
                    Double.atan2(y: d.z, x: rho),
                    Vec3(-d.x * d.z / (r2 * rho), -d.y * d.z / (r2 * rho), rho / r2), .zero
                )
            }
        }
    }

    public var kind: Kind
    public var value: Double
    public var variance: Double

    public init(_ kind: Kind, value: Double, variance: Double) {
        self.kind = kind
        self.value = value
        self.variance = variance
    }

    /// Finite value, positive finite variance and finite geometry.
    public var isValid: Bool {
        guard value.isFinite, variance.isFinite, variance > 0 else { return false }
        switch kind {
        case .range(let a), .rangeRate(let a), .azimuth(let a), .elevation(let a): return a.isFinite
        case .sumRange(let t, let r), .sumRangeRate(let t, let r): return t.isFinite && r.isFinite
        }
    }
}
