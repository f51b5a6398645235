import RealModule
import TwinMath
import TwinWorld

/// Radar cross section per target class: TR 38.901 Rel-19 sensing targets (§7.9), as
/// docs/domain.md §4 lists them. The RCS is log-normal: 10 log10(σ / 1 m²) ~ N(mean, spread²).
///
/// | class     | mean, dBsm | spread, dB |
/// |-----------|-----------:|-----------:|
/// | small UAV |     −12.81 |       3.74 |
/// | large UAV |      −5.85 |       2.50 |
/// | human     |      −1.37 |       3.94 |
/// | vehicle   |      11.25 |       3.41 |
/// | AGV       |      −4.25 |       2.51 |
///
/// 38.901 §7.9 also gives some classes (vehicles, large UAVs) an aspect-angle-dependent
/// component; it is not modelled here: the log-normal spread stands for all variation.
public enum RCSModel {
    /// Mean of 10 log10 σ (dBsm) and its standard deviation (dB) for a mover class.
    /// - Parameter uavSize: used for `.uav` only; a UAV of unknown size is taken as small.
    public static func parameters(for moverClass: MoverClass, uavSize: UAVSize?) -> (meanDbsm: Double, spreadDb: Double) {
        switch moverClass {
        case .uav:
            switch uavSize ?? .small {
            case .small: return (-12.81, 3.74)
            case .large: return (-5.85, 2.50)
            }
        case .person: return (-1.37, 3.94)
        case .vehicle: return (11.25, 3.41)
        case .agv: return (-4.25, 2.51)
        }
    }
}

/// A target's RCS over time: log-normal with the class's mean and spread, and a first-order
/// Gauss–Markov process in dB so consecutive frames see similar values:
///
///     x_k = mean + spread · g_k,   g_k = ρ g_{k−1} + √(1 − ρ²) w_k,   ρ = exp(−Δt / τ)
///
/// with w_k ~ N(0, 1) and τ the correlation time. g starts from its stationary law N(0, 1), so
/// every x_k has the class's marginal distribution whatever the frame rate. τ → 0 gives
/// independent draws per frame (Swerling-like), τ → ∞ a constant RCS per target.
public struct RCSProcess: Codable, Sendable, Equatable {
    public var meanDbsm: Double
    public var spreadDb: Double
    /// τ, seconds.
    public var correlationTime: Double
    /// The standard-normal state g (time plays the part of distance).
    public private(set) var state = GaussMarkovOverDistance()

    public init(meanDbsm: Double, spreadDb: Double, correlationTime: Double) {
        self.meanDbsm = meanDbsm
        self.spreadDb = spreadDb
        self.correlationTime = correlationTime
    }

    /// The process for a mover class (see `RCSModel`).
    public init(moverClass: MoverClass, uavSize: UAVSize? = nil, correlationTime: Double) {
        let p = RCSModel.parameters(for: moverClass, uavSize: uavSize)
        self.init(meanDbsm: p.meanDbsm, spreadDb: p.spreadDb, correlationTime: correlationTime)
    }

    /// Advances the process by `dt` seconds and returns the RCS, dBsm. Draws one normal.
    public mutating func next(dt: Double, rng: inout SeededRandom) -> Double {
        let g = state.advance(distanceMoved: dt, correlationDistance: correlationTime, rng: &rng)
        return meanDbsm + spreadDb * g
    }
}
