import RealModule
import TwinMath

/// How a target is assumed to move between frames, with its process noise.
///
/// All models share the layout [x, y, z, vx, vy, vz, …] (metres, m/s, world frame):
/// - **Constant velocity (CV)**, n = 6: F = [[I, T·I], [0, I]]; white-noise acceleration of
///   power spectral density q (m²/s³) on each axis:
///   Q = q·[[T³/3·I, T²/2·I], [T²/2·I, T·I]] (Bar-Shalom, Li & Kirubarajan 2001, §6.2.2).
///   The acceleration standard deviation over one frame is about √(q/T).
/// - **Constant acceleration (CA)**, n = 9, state […, ax, ay, az]: white-noise jerk of PSD q
///   (m²/s⁵): Q = q·[[T⁵/20, T⁴/8, T³/6], [T⁴/8, T³/3, T²/2], [T³/6, T²/2, T]] per axis
///   (ibid. §6.2.3).
/// - **Constant turn (CT)**, n = 7, state […, ω]: a coordinated turn at rate ω (rad/s) in the
///   horizontal plane with constant vertical velocity, the 3-D form used for manoeuvring UAVs
///   (Li & Jilkov 2003, §4.2.2). The transition is nonlinear in ω, so its Jacobian is used
///   (EKF prediction). Process noise: CV's Q with q on position and velocity, plus qω·T
///   (rad²/s³ · s) on the turn rate.
public enum MotionModel: String, Sendable, Codable, CaseIterable {
    case constantVelocity = "cv"
    case constantAcceleration = "ca"
    case constantTurn = "ct"

    public var dimension: Int {
        switch self {
        case .constantVelocity: 6
        case .constantAcceleration: 9
        case .constantTurn: 7
        }
    }
}

/// A motion model with its noise intensities, ready to predict.
public struct MotionSettings: Sendable, Equatable, Codable {
    public var model: MotionModel
    /// Process-noise PSD q: acceleration (CV, CT; m²/s³) or jerk (CA; m²/s⁵).
    public var processNoise: Double
    /// Turn-rate noise PSD qω (CT; rad²/s³).
    public var turnRateNoise: Double

    public init(model: MotionModel, processNoise: Double, turnRateNoise: Double = 0.01) {
        self.model = model
        self.processNoise = processNoise
        self.turnRateNoise = turnRateNoise
    }

    /// Predicts `mean` and `covariance` over T seconds. The state may be longer than the
    /// model's own dimension (an IMM's common state): extra elements are carried unchanged
    /// (identity transition, no added noise), which is how CV runs inside a CV/CT IMM.
    public func predict(_ state: inout ModelState, dt T: Double) {
        let n = state.mean.count
        switch model {
        case .constantTurn where n >= 7:
            predictTurn(&state, T)
        case .constantAcceleration where n >= 9:
            // F = [[I, T I, T²/2 I], [0, I, T I], [0, 0, I]] applied in place, O(n²): rows of
            // position use the old velocity and acceleration rows, then velocity rows use the old
            // acceleration rows; the same on columns gives F P Fᵀ.
            let h = 0.5 * T * T
            for a in 0..<3 {
                state.mean[a] += T * state.mean[a + 3] + h * state.mean[a + 6]
                state.mean[a + 3] += T * state.mean[a + 6]
            }
            for a in 0..<3 {
                state.covariance.addRow(a + 3, to: a, scale: T)
                state.covariance.addRow(a + 6, to: a, scale: h)
                state.covariance.addRow(a + 6, to: a + 3, scale: T)
            }
            for a in 0..<3 {
                state.covariance.addColumn(a + 3, to: a, scale: T)
                state.covariance.addColumn(a + 6, to: a, scale: h)
                state.covariance.addColumn(a + 6, to: a + 3, scale: T)
            }
            let s = processNoise
            let t2 = T * T, t3 = t2 * T, t4 = t3 * T, t5 = t4 * T
            for a in 0..<3 {
                state.covariance[a, a] += s * t5 / 20
                state.covariance[a, a + 3] += s * t4 / 8
                state.covariance[a + 3, a] += s * t4 / 8
                state.covariance[a, a + 6] += s * t3 / 6
                state.covariance[a + 6, a] += s * t3 / 6
                state.covariance[a + 3, a + 3] += s * t3 / 3
                state.covariance[a + 3, a + 6] += s * t2 / 2
                state.covariance[a + 6, a + 3] += s * t2 / 2
                state.covariance[a + 6, a + 6] += s * T
            }
        default:
            // CV (and CA or CT in a state too short for them): F = [[I, T I], [0, I]] in place.
            for a in 0..<3 { state.mean[a] += T * state.mean[a + 3] }
            for a in 0..<3 { state.covariance.addRow(a + 3, to: a, scale: T) }
            for a in 0..<3 { state.covariance.addColumn(a + 3, to: a, scale: T) }
            addVelocityNoise(&state.covariance, T)
        }
        // Row-then-column updates sum in different orders across the diagonal.
        state.covariance.symmetrize()
    }

    /// The coordinated turn: nonlinear in ω, so the covariance goes through its Jacobian.
    private func predictTurn(_ state: inout ModelState, _ T: Double) {
        let n = state.mean.count
        var f = StateMatrix.identity(n)
        let (x, v, w) = (state.mean.position, state.mean.velocity, state.mean[6])
        let turn = CoordinatedTurn(omega: w, dt: T)
        state.mean[0] = x.x + turn.sinOverOmega * v.x - turn.oneMinusCosOverOmega * v.y
        state.mean[1] = x.y + turn.oneMinusCosOverOmega * v.x + turn.sinOverOmega * v.y
        state.mean[2] = x.z + T * v.z
        state.mean[3] = turn.cos * v.x - turn.sin * v.y
        state.mean[4] = turn.sin * v.x + turn.cos * v.y
        f[0, 3] = turn.sinOverOmega
        f[0, 4] = -turn.oneMinusCosOverOmega
        f[1, 3] = turn.oneMinusCosOverOmega
        f[1, 4] = turn.sinOverOmega
        f[2, 5] = T
        f[3, 3] = turn.cos
        f[3, 4] = -turn.sin
        f[4, 3] = turn.sin
        f[4, 4] = turn.cos
        f[0, 6] = turn.dSinOverOmega * v.x - turn.dOneMinusCosOverOmega * v.y
        f[1, 6] = turn.dOneMinusCosOverOmega * v.x + turn.dSinOverOmega * v.y
        f[3, 6] = -T * turn.sin * v.x - T * turn.cos * v.y
        f[4, 6] = T * turn.cos * v.x - T * turn.sin * v.y
        state.covariance = state.covariance.congruence(f)
        addVelocityNoise(&state.covariance, T)
        state.covariance[6, 6] += turnRateNoise * T
    }

    /// CV's discretised white-noise-acceleration Q on the position and velocity blocks.
    private func addVelocityNoise(_ p: inout StateMatrix, _ T: Double) {
        let s = processNoise
        for a in 0..<3 {
            p[a, a] += s * T * T * T / 3
            p[a, a + 3] += s * T * T / 2
            p[a + 3, a] += s * T * T / 2
            p[a + 3, a + 3] += s * T
        }
    }
}

/// The trigonometric terms of a coordinated turn and their derivatives in ω, with series for
/// |ωT| → 0 (so a straight-flying target predicts exactly as CV).
struct CoordinatedTurn {
    var sin: Double, cos: Double
    /// sin(ωT)/ω and (1 − cos ωT)/ω.
    var sinOverOmega: Double, oneMinusCosOverOmega: Double
    /// Their derivatives with respect to ω.
    var dSinOverOmega: Double, dOneMinusCosOverOmega: Double

    init(omega w: Double, dt T: Double) {
        let a = w * T
        sin = Double.sin(a)
        cos = Double.cos(a)
        if abs(a) < 1e-4 {
            // Taylor series to the first neglected term O(a⁴).
            sinOverOmega = T * (1 - a * a / 6)
            oneMinusCosOverOmega = T * (a / 2 - a * a * a / 24)
            dSinOverOmega = -T * T * a / 3
            dOneMinusCosOverOmega = T * T * (0.5 - a * a / 8)
        } else {
            sinOverOmega = sin / w
            oneMinusCosOverOmega = (1 - cos) / w
            dSinOverOmega = (a * cos - sin) / (w * w)
            dOneMinusCosOverOmega = (a * sin - 1 + cos) / (w * w)
        }
    }
}
