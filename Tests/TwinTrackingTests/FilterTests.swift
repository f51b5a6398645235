import Foundation
import Testing
import TwinMath

@testable import TwinTracking

/// A detection at `p` with isotropic variance `v`.
func detection(_ p: Vec3, variance v: Double = 1) -> Detection {
    Detection(position: p, covariance: SymmetricMatrix3(xx: v, xy: 0, xz: 0, yy: v, yz: 0, zz: v))
}

/// A CV state [p, v] with diagonal covariance.
func cvState(_ p: Vec3, _ v: Vec3, positionVariance: Double, velocityVariance: Double) -> ModelState {
    ModelState(
        mean: StateVector([p.x, p.y, p.z, v.x, v.y, v.z]),
        covariance: .diagonal([positionVariance, positionVariance, positionVariance, velocityVariance, velocityVariance, velocityVariance]))
}

struct FilterTests {
    /// Two predict/update steps along x against the scalar algebra done by hand:
    /// x₀ = [0, 1], P₀ = I, q = 1, T = 1, R = 1, z = 1.5 then 2.0.
    /// Step 1: P⁻ = [[7/3, 3/2], [3/2, 2]], S = 10/3, K = [0.7, 0.45], x = [1.35, 1.225],
    /// P = [[0.7, 0.45], [0.45, 1.325]].
    @Test func kalmanMatchesHandComputedTwoSteps() throws {
        var s = cvState(Vec3(0, 0, 0), Vec3(1, 0, 0), positionVariance: 1, velocityVariance: 1)
        let model = MotionSettings(model: .constantVelocity, processNoise: 1)
        let r = SymmetricMatrix3(xx: 1, xy: 0, xz: 0, yy: 1, yz: 0, zz: 1)

        model.predict(&s, dt: 1)
        #expect(abs(s.covariance[0, 0] - 7.0 / 3) < 1e-12)
        #expect(abs(s.covariance[0, 3] - 1.5) < 1e-12)
        #expect(abs(s.covariance[3, 3] - 2) < 1e-12)
        var inn = try #require(PositionInnovation(predicted: s, position: Vec3(1.5, 0, 0), covariance: r))
        #expect(abs(inn.s.xx - 10.0 / 3) < 1e-12)
        s.update(inn)
        #expect(abs(s.mean[0] - 1.35) < 1e-12)
        #expect(abs(s.mean[3] - 1.225) < 1e-12)
        #expect(abs(s.covariance[0, 0] - 0.7) < 1e-12)
        #expect(abs(s.covariance[0, 3] - 0.45) < 1e-12)
        #expect(abs(s.covariance[3, 3] - 1.325) < 1e-12)

        // Step 2 by the scalar formulas: P⁻ = F P Fᵀ + Q with P = [[a, b], [b, c]].
        let (a, b, c) = (0.7, 0.45, 1.325)
        let p00 = a + 2 * b + c + 1.0 / 3, p01 = b + c + 0.5, p11 = c + 1
        let sv = p00 + 1
        let k0 = p00 / sv, k1 = p01 / sv
        let xPred = 1.35 + 1.225, vPred = 1.225
        let nu = 2.0 - xPred
        model.predict(&s, dt: 1)
        inn = try #require(PositionInnovation(predicted: s, position: Vec3(2.0, 0, 0), covariance: r))
        s.update(inn)
        #expect(abs(s.mean[0] - (xPred + k0 * nu)) < 1e-12)
        #expect(abs(s.mean[3] - (vPred + k1 * nu)) < 1e-12)
        #expect(abs(s.covariance[0, 0] - (p00 - k0 * k0 * sv)) < 1e-12)
        #expect(abs(s.covariance[0, 3] - (p01 - k0 * k1 * sv)) < 1e-12)
        #expect(abs(s.covariance[3, 3] - (p11 - k1 * k1 * sv)) < 1e-12)
        // The y and z axes saw zero innovations and stay at zero; no cross-axis coupling.
        #expect(s.mean[1] == 0 && s.mean[2] == 0 && s.covariance[0, 1] == 0)
    }

    /// The NEES of a CV filter on targets that really follow the CV model with its process
    /// noise, averaged over 500 Monte-Carlo runs, lies in the two-sided 95 % interval
    /// χ²₅₀₀ₙ(0.025, 0.975)/500 around n = 6; a filter told 100× too little process noise
    /// falls outside it (so the check can fail).
    @Test func neesOfHonestCVFilterIsConsistent() throws {
        func averageNEES(filterNoise: Double) -> Double {
            let q = 0.5, dt = 0.1, steps = 30, runs = 500
            let model = MotionSettings(model: .constantVelocity, processNoise: filterNoise)
            // Cholesky of the per-axis Q = q[[T³/3, T²/2], [T²/2, T]].
            let q00 = q * dt * dt * dt / 3, q01 = q * dt * dt / 2, q11 = q * dt
            let l00 = q00.squareRoot(), l10 = q01 / l00, l11 = (q11 - l10 * l10).squareRoot()
            var rng = SeededRandom(seed: 17).substream("nees")
            var total = 0.0
            for _ in 0..<runs {
                // Truth drawn from the filter's prior.
                var truthP = Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian())
                var truthV = Vec3(2 + 0.5 * rng.gaussian(), 0.5 * rng.gaussian(), 0.5 * rng.gaussian())
                var s = cvState(.zero, Vec3(2, 0, 0), positionVariance: 1, velocityVariance: 0.25)
                for _ in 0..<steps {
                    let w0 = Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian())
                    let w1 = Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian())
                    truthP += dt * truthV + l00 * w0
                    truthV += l10 * w0 + l11 * w1
                    let z = truthP + 0.3 * Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian())
                    model.predict(&s, dt: dt)
                    let inn = PositionInnovation(
                        predicted: s, position: z, covariance: SymmetricMatrix3(xx: 0.09, xy: 0, xz: 0, yy: 0.09, yz: 0, zz: 0.09))!
                    s.update(inn)
                }
                let e = StateVector([
                    truthP.x - s.mean[0], truthP.y - s.mean[1], truthP.z - s.mean[2], truthV.x - s.mean[3], truthV.y - s.mean[4],
                    truthV.z - s.mean[5],
                ])
                let x = s.covariance.solve(e)!
                total += (0..<6).reduce(0) { $0 + e[$1] * x[$1] }
            }
            return total / Double(runs)
        }
        let low = chiSquareQuantile(probability: 0.025, degreesOfFreedom: 3000) / 500
        let high = chiSquareQuantile(probability: 0.975, degreesOfFreedom: 3000) / 500
        let honest = averageNEES(filterNoise: 0.5)
        #expect(honest > low && honest < high, "NEES \(honest) outside [\(low), \(high)]")
        let overconfident = averageNEES(filterNoise: 0.005)
        #expect(overconfident > high, "a filter with 100× too little process noise should fail: \(overconfident)")
    }

    /// The CT transition's Jacobian equals central differences of the transition, at a real
    /// turn and at ω = 0 (the series branch); at ω = 0 CT predicts exactly like CV.
    @Test(arguments: [0.35, 0.0, 1e-6])
    func constantTurnJacobianMatchesDifferences(omega: Double) {
        let ct = MotionSettings(model: .constantTurn, processNoise: 0, turnRateNoise: 0)
        let x = StateVector([3, -2, 10, 12, 5, -1, omega])
        let dt = 0.5
        func f(_ s: StateVector) -> StateVector {
            var m = ModelState(mean: s, covariance: .identity(7))
            ct.predict(&m, dt: dt)
            return m.mean
        }
        // Jacobian from the covariance: with P = I and Q = 0, F Fᵀ = predicted P; instead read
        // F column by column through P = eⱼeⱼᵀ.
        for j in 0..<7 {
            var e = StateMatrix(count: 7)
            e[j, j] = 1
            var m = ModelState(mean: x, covariance: e)
            ct.predict(&m, dt: dt)
            // P' = F eⱼeⱼᵀ Fᵀ = fⱼfⱼᵀ: column j of F is P'[:, j]/√P'[j, j]… use the sign of the
            // diagonal of F instead: compare fⱼfⱼᵀ with the difference quotient's outer product.
            let h = 1e-6
            var xp = x, xm = x
            xp[j] += h
            xm[j] -= h
            let d = (f(xp) - f(xm)).array.map { $0 / (2 * h) }
            for r in 0..<7 { for c in 0..<7 { #expect(abs(m.covariance[r, c] - d[r] * d[c]) < 1e-6, "∂f/∂x\(j) at (\(r), \(c))") } }
            // fⱼfⱼᵀ cannot see a flipped column; the probe eⱼeₖᵀ + eₖeⱼᵀ gives fⱼfₖᵀ + fₖfⱼᵀ,
            // which does (against column 0, whose sign is known: ∂x'/∂x = 1).
            if j > 0 {
                var probe = StateMatrix(count: 7)
                probe[j, 0] = 1
                probe[0, j] = 1
                var q = ModelState(mean: x, covariance: probe)
                ct.predict(&q, dt: dt)
                var xp0 = x, xm0 = x
                xp0[0] += h
                xm0[0] -= h
                let d0 = (f(xp0) - f(xm0)).array.map { $0 / (2 * h) }
                for r in 0..<7 {
                    for c in 0..<7 {
                        #expect(abs(q.covariance[r, c] - (d[r] * d0[c] + d0[r] * d[c])) < 1e-6, "sign of ∂f/∂x\(j) at (\(r), \(c))")
                    }
                }
            }
        }
        if omega == 0 {
            let cv = MotionSettings(model: .constantVelocity, processNoise: 0)
            var a = ModelState(mean: x.resized(6), covariance: .identity(6))
            cv.predict(&a, dt: dt)
            let b = f(x)
            for i in 0..<6 { #expect(abs(a.mean[i] - b[i]) < 1e-12) }
        }
    }

    /// A 90° turn at ω = π/2 rad/s for 1 s maps velocity (v, 0) to (0, v) and position by the
    /// circle's chord: (v/ω, v/ω).
    @Test func constantTurnFollowsTheCircle() {
        let v = 10.0, w = Double.pi / 2
        var m = ModelState(mean: StateVector([0, 0, 5, v, 0, 1, w]), covariance: .identity(7))
        MotionSettings(model: .constantTurn, processNoise: 0).predict(&m, dt: 1)
        #expect(abs(m.mean[0] - v / w) < 1e-12)
        #expect(abs(m.mean[1] - v / w) < 1e-12)
        #expect(abs(m.mean[2] - 6) < 1e-12)
        #expect(abs(m.mean[3]) < 1e-12 && abs(m.mean[4] - v) < 1e-12)
    }

    /// CA with zero noise follows x + vT + aT²/2 exactly, and its Q matches the closed form.
    @Test func constantAccelerationPredicts() {
        var m = ModelState(mean: StateVector([1, 2, 3, 4, 5, 6, 0.5, -1, 2]), covariance: StateMatrix(count: 9))
        MotionSettings(model: .constantAcceleration, processNoise: 2).predict(&m, dt: 2)
        #expect(abs(m.mean[0] - (1 + 8 + 1)) < 1e-12)
        #expect(abs(m.mean[4] - (5 - 2)) < 1e-12)
        #expect(abs(m.mean[8] - 2) < 1e-12)
        // Q[x, x] = q T⁵/20 = 2·32/20, Q[x, ax] = q T³/6 = 16/6, Q[ax, ax] = q T = 4.
        #expect(abs(m.covariance[0, 0] - 3.2) < 1e-12)
        #expect(abs(m.covariance[0, 6] - 16.0 / 6) < 1e-12)
        #expect(abs(m.covariance[6, 6] - 4) < 1e-12)
    }

    /// The in-place CA and CV predictions equal the dense F·P·Fᵀ + Q on a random
    /// positive-definite P (every Q entry of the closed forms included).
    @Test(arguments: [MotionModel.constantAcceleration, .constantVelocity])
    func structuredPredictionEqualsDenseAlgebra(model: MotionModel) {
        let n = model.dimension, T = 0.3, q = 1.7
        var rng = SeededRandom(seed: 4)
        var a = StateMatrix(count: n)
        for i in 0..<n { for j in 0..<n { a[i, j] = rng.gaussian() } }
        let p = a.timesTransposed(a) + StateMatrix.identity(n)
        let x = StateVector((0..<n).map { _ in rng.gaussian() })
        var f = StateMatrix.identity(n)
        var qm = StateMatrix(count: n)
        for axis in 0..<3 {
            f[axis, axis + 3] = T
            if model == .constantAcceleration {
                f[axis, axis + 6] = T * T / 2
                f[axis + 3, axis + 6] = T
                let blocks = [
                    [pow(T, 5) / 20, pow(T, 4) / 8, pow(T, 3) / 6], [pow(T, 4) / 8, pow(T, 3) / 3, T * T / 2],
                    [pow(T, 3) / 6, T * T / 2, T],
                ]
                for r in 0..<3 { for c in 0..<3 { qm[axis + 3 * r, axis + 3 * c] = q * blocks[r][c] } }
            } else {
                let blocks = [[pow(T, 3) / 3, T * T / 2], [T * T / 2, T]]
                for r in 0..<2 { for c in 0..<2 { qm[axis + 3 * r, axis + 3 * c] = q * blocks[r][c] } }
            }
        }
        let expected = (f * p).timesTransposed(f) + qm
        var m = ModelState(mean: x, covariance: p)
        MotionSettings(model: model, processNoise: q).predict(&m, dt: T)
        let fx = f * x
        for i in 0..<n {
            #expect(abs(m.mean[i] - fx[i]) < 1e-12)
            for j in 0..<n { #expect(abs(m.covariance[i, j] - expected[i, j]) < 1e-12, "(\(i), \(j))") }
        }
    }

    /// The PDA update equals the moment match of its hypotheses computed independently: each
    /// detection's own Kalman posterior (and the prior for "none"), mixed with weights
    /// β₀, β₁, β₂; with equal R it also equals Bar-Shalom's closed form.
    @Test func pdaUpdateIsTheMomentMatchOfItsHypotheses() throws {
        let prior = cvState(Vec3(1, 2, 3), Vec3(1, 0, 0), positionVariance: 2, velocityVariance: 1)
        for equalR in [true, false] {
            let r1 = SymmetricMatrix3(xx: 0.5, xy: 0.1, xz: 0, yy: 0.6, yz: 0, zz: 0.4)
            let r2 = equalR ? r1 : SymmetricMatrix3(xx: 3, xy: 0, xz: 0.2, yy: 2, yz: 0, zz: 5)
            let z = [Vec3(1.5, 2.2, 2.9), Vec3(0.2, 1.1, 3.8)]
            let betas = [0.6, 0.25]
            let inn = [
                try #require(PositionInnovation(predicted: prior, position: z[0], covariance: r1)),
                try #require(PositionInnovation(predicted: prior, position: z[1], covariance: r2)),
            ]
            var pda = prior
            pda.pdaUpdate([(betas[0], inn[0]), (betas[1], inn[1])])
            var parts = [prior]
            for k in 0..<2 {
                var posterior = prior
                posterior.update(inn[k])
                parts.append(posterior)
            }
            let mixture = ModelState.mixture(parts, weights: [1 - betas[0] - betas[1]] + betas)
            for i in 0..<6 {
                #expect(abs(pda.mean[i] - mixture.mean[i]) < 1e-12)
                for j in 0..<6 { #expect(abs(pda.covariance[i, j] - mixture.covariance[i, j]) < 1e-12) }
            }
            if equalR {
                // β₀P + (1 − β₀)(P − KSKᵀ) + K(Σβᵢνᵢνᵢᵀ − ννᵀ)Kᵀ with Matrix algebra.
                let P = Matrix(rows: prior.covariance.rows)
                let H = Matrix(rows: [[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0]])
                let S = H * P * H.transposed + r1.matrix
                let K = P * H.transposed * (try S.inverse())
                let nus = inn.map { Matrix(column: [$0.nu.x, $0.nu.y, $0.nu.z]) }
                let nu = betas[0] * nus[0] + betas[1] * nus[1]
                let spread = betas[0] * nus[0] * nus[0].transposed + betas[1] * nus[1] * nus[1].transposed - nu * nu.transposed
                let b0 = 1 - betas[0] - betas[1]
                let expected = b0 * P + (1 - b0) * (P - K * S * K.transposed) + K * spread * K.transposed
                for i in 0..<6 { for j in 0..<6 { #expect(abs(pda.covariance[i, j] - expected[i, j]) < 1e-12) } }
            }
        }
    }

    /// An azimuth innovation across ±π is wrapped: a target just past −π seen as just below +π
    /// moves the estimate a little, not by 2π worth of gain.
    @Test func azimuthInnovationIsWrapped() {
        var s = cvState(Vec3(-10, 0.01, 0), .zero, positionVariance: 1, velocityVariance: 1)
        let before = s.mean.position
        // True azimuth −π + 0.001 (y slightly negative); the prediction is at +π − 0.001.
        _ = s.update(RawMeasurement(.azimuth(at: .zero), value: -Double.pi + 0.001, variance: 1e-4))
        #expect(s.mean.position.distance(to: before) < 0.1)
        #expect(s.mean[1] < 0.01)
    }

    /// Raw measurement gradients against central differences for every kind.
    @Test func rawMeasurementGradientsMatchDifferences() throws {
        let x = Vec3(12, -7, 3), v = Vec3(4, 2, -1)
        let kinds: [RawMeasurement.Kind] = [
            .range(from: Vec3(0, 0, 10)), .sumRange(transmitter: Vec3(0, 0, 10), receiver: Vec3(30, 5, 8)),
            .rangeRate(from: Vec3(0, 0, 10)), .sumRangeRate(transmitter: Vec3(0, 0, 10), receiver: Vec3(30, 5, 8)),
            .azimuth(at: Vec3(1, 1, 10)), .elevation(at: Vec3(1, 1, 10)),
        ]
        let h = 1e-6
        for kind in kinds {
            let (_, gp, gv) = try #require(kind.evaluate(position: x, velocity: v))
            for a in 0..<3 {
                var e = Vec3.zero
                e[a] = h
                let dp = (kind.evaluate(position: x + e, velocity: v)!.0 - kind.evaluate(position: x - e, velocity: v)!.0) / (2 * h)
                let dv = (kind.evaluate(position: x, velocity: v + e)!.0 - kind.evaluate(position: x, velocity: v - e)!.0) / (2 * h)
                #expect(abs(dp - gp[a]) < 1e-6, "\(kind) ∂/∂p\(a)")
                #expect(abs(dv - gv[a]) < 1e-6, "\(kind) ∂/∂v\(a)")
            }
        }
    }

    /// Measurement-level EKF: noise-free monostatic range, azimuth, elevation and Doppler from
    /// two sensors pull a poor prior onto the true position and velocity.
    @Test func extendedKalmanConvergesOnRawMeasurements() {
        let truthP = Vec3(40, 25, 1.5), truthV = Vec3(1.5, -0.5, 0)
        let sensors = [Vec3(0, 0, 8), Vec3(80, 0, 8)]
        var s = cvState(truthP + Vec3(2, -2, 1), .zero, positionVariance: 9, velocityVariance: 4)
        let model = MotionSettings(model: .constantVelocity, processNoise: 0.01)
        var p = truthP
        for _ in 0..<40 {
            p += 0.1 * truthV
            model.predict(&s, dt: 0.1)
            for a in sensors {
                let d = p - a
                for (kind, value, variance) in [
                    (RawMeasurement.Kind.range(from: a), d.norm, 1e-4), (.azimuth(at: a), d.azimuth, 1e-6),
                    (.elevation(at: a), d.elevation, 1e-6), (.rangeRate(from: a), d.normalized.dot(truthV), 1e-4),
                ] {
                    #expect(s.update(RawMeasurement(kind, value: value, variance: variance)) != nil)
                }
            }
        }
        #expect(s.mean.position.distance(to: p) < 0.01)
        #expect(s.mean.velocity.distance(to: truthV) < 0.05)
        #expect(s.covariance.isPositiveDefinite)
    }

    /// Cholesky-based checks of StateMatrix.
    @Test func stateMatrixSolveAndDefiniteness() throws {
        let a = StateMatrix(rows: [[4, 2, 0], [2, 3, 1], [0, 1, 2]])
        let x = try #require(a.solve(StateVector([2, 5, 3])))
        let back = a * x
        for i in 0..<3 { #expect(abs(back[i] - [2, 5, 3][i]) < 1e-12) }
        #expect(a.isPositiveDefinite)
        #expect(!StateMatrix(rows: [[1, 2], [2, 1]]).isPositiveDefinite)
        #expect(!StateMatrix(rows: [[1, 0], [0, .nan]]).isPositiveDefinite)
    }
}
