import RealModule
import TwinWorld

/// TR 38.901 indoor factory (InF): sparse or dense clutter (S/D), low or high base station
/// (L/H), with the clutter parameters of the hall (Table 7.2-4 defaults in
/// `InFSubScenario.defaultClutter`). d in m, f_c in GHz, log = log10.
///
/// **LOS probability** (Table 7.4.2-1): Pr_LOS = exp(−d_2D / k_subsce) with
/// - InF-SL, InF-DL: k_subsce = −d_clutter / ln(1 − r);
/// - InF-SH, InF-DH: k_subsce = −d_clutter / ln(1 − r) · (h_BS − h_UT) / (h_c − h_UT);
/// - InF-HH (both ends above the clutter): Pr_LOS = 1.
///
/// **Path loss** (Table 7.4.1-1), valid for 1 m ≤ d_3D ≤ 600 m:
/// - LOS: PL_LOS = 31.84 + 21.50 log d_3D + 19.00 log f_c, σ_SF = 4.3 dB;
/// - SL: PL = max(PL_LOS, PL_SL), PL_SL = 33 + 25.5 log d_3D + 20 log f_c, σ_SF = 5.7 dB;
/// - DL: PL = max(PL_LOS, PL_SL, PL_DL), PL_DL = 18.6 + 35.7 log d_3D + 20 log f_c, σ_SF = 7.2 dB;
/// - SH: PL = max(PL_LOS, PL_SH), PL_SH = 32.4 + 23.0 log d_3D + 20 log f_c, σ_SF = 5.9 dB;
/// - DH: PL = max(PL_LOS, PL_DH), PL_DH = 33.63 + 21.9 log d_3D + 20 log f_c, σ_SF = 4.0 dB.
///
/// **Clamping.** d_3D below 1 m is taken as 1 m; beyond 600 m the law is extrapolated. f_c is
/// clamped to 0.5–100 GHz. Link ends at or above the clutter height are the InF-HH case
/// (LOS probability 1), whatever the hall's sub-scenario: 38.901 leaves the SH/DH factor
/// undefined there (h_c − h_UT ≤ 0). For SH/DH the height factor is used only while the BS is
/// above the clutter; for h_BS ≤ h_c it is taken as 1 (the low-BS formula, which is also the
/// factor's value at h_BS = h_c, so the probability stays continuous in the heights).
public struct InFPropagation: PropagationModel, Equatable {
    public var subScenario: InFSubScenario
    public var clutter: ClutterSpec

    /// - Parameter clutter: the hall's clutter; the sub-scenario's Table 7.2-4 defaults if nil.
    public init(subScenario: InFSubScenario, clutter: ClutterSpec? = nil) {
        self.subScenario = subScenario
        self.clutter = clutter ?? subScenario.defaultClutter
    }

    /// σ_SF of LOS links, dB.
    public static let losShadowSigmaDb = 4.3

    /// σ_SF of NLOS links in this sub-scenario, dB.
    public var nlosShadowSigmaDb: Double {
        switch subScenario {
        case .sl: return 5.7
        case .dl: return 7.2
        case .sh: return 5.9
        case .dh: return 4.0
        }
    }

    public func losProbability(_ g: LinkGeometry) -> Double {
        let r = ModelInput.clamp(clutter.density, 0, 1)
        let dClutter = ModelInput.clamp(clutter.size, 0, .infinity)
        let hc = ModelInput.clamp(clutter.height, -.infinity, .infinity)
        let hUT = ModelInput.clamp(g.utHeight, -ModelInput.maxDistance, ModelInput.maxDistance)
        let hBS = Swift.max(hUT, ModelInput.clamp(g.bsHeight, -ModelInput.maxDistance, ModelInput.maxDistance))
        let d2D = ModelInput.clamp(g.distance2D, 0, ModelInput.maxDistance)
        // No clutter, no distance, or both ends above the clutter (InF-HH): always LOS.
        if r == 0 || d2D == 0 || hUT >= hc { return 1 }
        // Fully cluttered floor (r = 1) or zero-size clutter: only the zero distance sees.
        if r == 1 || dClutter == 0 { return 0 }
        // exp(−d/k) written as exp(d · ln(1 − r) / d_clutter · 1/factor), avoiding k = 0 or ∞.
        var inverseFactor = 1.0
        if subScenario == .sh || subScenario == .dh {
            // 1/factor = (h_c − h_UT)/(h_BS − h_UT), at most 1 (BS at or below h_c: factor 1).
            // h_BS = h_UT gives +∞ here, which min() turns into 1.
            inverseFactor = Swift.min(1, (hc - hUT) / (hBS - hUT))
        }
        let exponent = d2D * Double.log(1 - r) / dClutter * inverseFactor
        return ModelInput.clamp(Double.exp(exponent), 0, 1)
    }

    public func pathLoss(_ g: LinkGeometry, carrierFrequency: Double, los: Bool) -> PathLoss {
        let d = ModelInput.clamp(g.distance3D, 1, ModelInput.maxDistance)
        let fc = ModelInput.carrierGHz(carrierFrequency)
        let logD = ModelInput.log10(d)
        let logF = ModelInput.log10(fc)
        let plLOS = 31.84 + 21.50 * logD + 19.00 * logF
        if los { return PathLoss(meanDb: plLOS, shadowSigmaDb: Self.losShadowSigmaDb) }
        let plSL = 33 + 25.5 * logD + 20 * logF
        let nlos: Double
        switch subScenario {
        case .sl: nlos = Swift.max(plLOS, plSL)
        case .dl: nlos = Swift.max(plLOS, plSL, 18.6 + 35.7 * logD + 20 * logF)
        case .sh: nlos = Swift.max(plLOS, 32.4 + 23.0 * logD + 20 * logF)
        case .dh: nlos = Swift.max(plLOS, 33.63 + 21.9 * logD + 20 * logF)
        }
        return PathLoss(meanDb: nlos, shadowSigmaDb: nlosShadowSigmaDb)
    }

    /// Table 7.5-6 (InF): 10 m for shadow fading in LOS and NLOS.
    public var shadowCorrelationDistance: (los: Double, nlos: Double) { (10, 10) }

    /// Table 7.6.3.1-2 (InF): d_clutter / 2 for the LOS state.
    public var losCorrelationDistance: Double { ModelInput.clamp(clutter.size, 0, .infinity) / 2 }
}
