import RealModule

/// TR 38.901 urban macro (UMa): macro base stations above the rooftops (h_BS = 25 m in the
/// table). d in m, f_c in GHz, log = log10.
///
/// **LOS probability** (Table 7.4.2-1, outdoor UT): 1 for d_2D ≤ 18 m, else
/// [18/d_2D + exp(−d_2D/63)(1 − 18/d_2D)] · (1 + C'(h_UT) · 5/4 · (d_2D/100)³ · exp(−d_2D/150)),
/// C'(h_UT) = 0 for h_UT ≤ 13 m, ((h_UT − 13)/10)^1.5 for 13 m < h_UT ≤ 23 m.
/// docs/domain.md states only the second branch; 38.901 has the d_2D ≤ 18 m branch (without it the
/// expression exceeds 1 below 18 m), and 38.901 wins.
///
/// **Path loss** (Table 7.4.1-1), 10 m ≤ d_2D ≤ 5 km, 1.5 m ≤ h_UT ≤ 22.5 m:
/// - LOS: PL1 = 28.0 + 22 log d_3D + 20 log f_c for d_2D ≤ d'_BP,
///   PL2 = 28.0 + 40 log d_3D + 20 log f_c − 9 log((d'_BP)² + (h_BS − h_UT)²) beyond;
///   σ_SF = 4 dB;
/// - NLOS: max(PL_LOS, PL'), PL' = 13.54 + 39.08 log d_3D + 20 log f_c − 0.6 (h_UT − 1.5);
///   σ_SF = 6 dB.
///
/// **Breakpoint.** d'_BP = 4 h'_BS h'_UT f_c / c with h' = h − h_E. 38.901 (note 1) draws h_E:
/// 1 m with probability 1/(1 + C(d_2D, h_UT)), otherwise uniformly from {12, 15, …, h_UT − 1.5}
/// m. C is zero for h_UT < 13 m, so h_E = 1 m exactly for street-level UTs; for higher UTs
/// this model keeps h_E = 1 m (deterministic path loss, no random draw inside `pathLoss`).
///
/// **Clamping.** As for UMi: d_2D ≥ 10 m, h_UT in 1.5–22.5 m (path loss) and h_UT ≤ 23 m
/// (C' of the LOS probability), h_BS as given but at least the clamped h_UT, d_3D recomputed,
/// f_c in 0.5–100 GHz; beyond 5 km the law is extrapolated.
public struct UMaPropagation: PropagationModel, Equatable {
    public init() {}

    public static let losShadowSigmaDb = 4.0
    public static let nlosShadowSigmaDb = 6.0

    public func losProbability(_ g: LinkGeometry) -> Double {
        let d = ModelInput.clamp(g.distance2D, 0, ModelInput.maxDistance)
        if d <= 18 { return 1 }
        let base = UrbanLOS.streetProbability(distance2D: d, scale: 63)
        let hUT = ModelInput.clamp(g.utHeight, 0, 23)
        let cPrime = hUT <= 13 ? 0 : Double.pow((hUT - 13) / 10, 1.5)
        let x = d / 100
        let boost = 1 + cPrime * 1.25 * x * x * x * Double.exp(-d / 150)
        return ModelInput.clamp(base * boost, 0, 1)
    }

    public func pathLoss(_ g: LinkGeometry, carrierFrequency: Double, los: Bool) -> PathLoss {
        let u = UrbanGeometry(g, carrierFrequency: carrierFrequency)
        let plLOS = u.twoSlopeLOS(intercept: 28.0, nearSlope: 22, breakpointCoefficient: 9)
        if los { return PathLoss(meanDb: plLOS, shadowSigmaDb: Self.losShadowSigmaDb) }
        let plNLOS = 13.54 + 39.08 * u.logD + 20 * u.logF - 0.6 * (u.hUT - 1.5)
        return PathLoss(meanDb: Swift.max(plLOS, plNLOS), shadowSigmaDb: Self.nlosShadowSigmaDb)
    }

    /// Table 7.5-6 (UMa): 37 m (LOS), 50 m (NLOS).
    public var shadowCorrelationDistance: (los: Double, nlos: Double) { (37, 50) }

    /// Table 7.6.3.1-2 (UMa): 50 m.
    public var losCorrelationDistance: Double { 50 }
}
