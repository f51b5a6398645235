import RealModule

/// TR 38.901 urban micro, street canyon (UMi-Street Canyon): micro base stations mounted
/// below the rooftops (h_BS = 10 m in the table). d in m, f_c in GHz, log = log10.
///
/// **LOS probability** (Table 7.4.2-1, outdoor UT): 1 for d_2D ≤ 18 m, else
/// 18/d_2D + exp(−d_2D/36)·(1 − 18/d_2D).
///
/// **Path loss** (Table 7.4.1-1), 10 m ≤ d_2D ≤ 5 km, 1.5 m ≤ h_UT ≤ 22.5 m:
/// - breakpoint d'_BP = 4 h'_BS h'_UT f_c / c (f_c in Hz here), h' = h − h_E, h_E = 1 m (note 1);
/// - LOS: PL1 = 32.4 + 21 log d_3D + 20 log f_c for d_2D ≤ d'_BP,
///   PL2 = 32.4 + 40 log d_3D + 20 log f_c − 9.5 log((d'_BP)² + (h_BS − h_UT)²) beyond;
///   σ_SF = 4 dB;
/// - NLOS: max(PL_LOS, PL'), PL' = 35.3 log d_3D + 22.4 + 21.3 log f_c − 0.3 (h_UT − 1.5);
///   σ_SF = 7.82 dB.
///
/// **Clamping.** d_2D below 10 m is taken as 10 m (beyond 5 km the law is extrapolated);
/// h_UT is clamped to 1.5–22.5 m (a UAV higher up, or an AGV at 0.5 m, uses the nearest
/// valid height); h_BS is used as given (the table's 10 m is a deployment value, not a
/// limit) but lifted to at least the clamped h_UT so that h'_BS stays positive; d_3D is
/// recomputed from the clamped values so the formula sees a consistent geometry. f_c is
/// clamped to 0.5–100 GHz.
public struct UMiPropagation: PropagationModel, Equatable {
    public init() {}

    public static let losShadowSigmaDb = 4.0
    public static let nlosShadowSigmaDb = 7.82

    public func losProbability(_ g: LinkGeometry) -> Double {
        UrbanLOS.streetProbability(distance2D: g.distance2D, scale: 36)
    }

    public func pathLoss(_ g: LinkGeometry, carrierFrequency: Double, los: Bool) -> PathLoss {
        let u = UrbanGeometry(g, carrierFrequency: carrierFrequency)
        let plLOS = u.twoSlopeLOS(intercept: 32.4, nearSlope: 21, breakpointCoefficient: 9.5)
        if los { return PathLoss(meanDb: plLOS, shadowSigmaDb: Self.losShadowSigmaDb) }
        let plNLOS = 35.3 * u.logD + 22.4 + 21.3 * u.logF - 0.3 * (u.hUT - 1.5)
        return PathLoss(meanDb: Swift.max(plLOS, plNLOS), shadowSigmaDb: Self.nlosShadowSigmaDb)
    }

    /// Table 7.5-6 (UMi-Street Canyon): 10 m (LOS), 13 m (NLOS).
    public var shadowCorrelationDistance: (los: Double, nlos: Double) { (10, 13) }

    /// Table 7.6.3.1-2 (UMi): 50 m.
    public var losCorrelationDistance: Double { 50 }
}

/// The clamped geometry the UMi and UMa formulas share.
struct UrbanGeometry {
    static let utHeightRange = 1.5...22.5
    static let minDistance2D = 10.0
    /// Effective environment height h_E of the breakpoint distance, m (Table 7.4.1-1 note 1).
    static let environmentHeight = 1.0

    var hBS: Double, hUT: Double, d2D: Double, d3D: Double, dh: Double
    var fcGHz: Double
    /// d'_BP = 4 h'_BS h'_UT f_c / c, m.
    var breakpoint: Double
    /// log10(d_3D) and log10(f_c / GHz), shared by the LOS and NLOS formulas.
    var logD: Double
    var logF: Double

    init(_ g: LinkGeometry, carrierFrequency: Double) {
        hUT = ModelInput.clamp(g.utHeight, Self.utHeightRange.lowerBound, Self.utHeightRange.upperBound)
        hBS = ModelInput.clamp(g.bsHeight, hUT, ModelInput.maxDistance)
        d2D = ModelInput.clamp(g.distance2D, Self.minDistance2D, ModelInput.maxDistance)
        dh = hBS - hUT
        d3D = (d2D * d2D + dh * dh).squareRoot()
        fcGHz = ModelInput.carrierGHz(carrierFrequency)
        let h = Self.environmentHeight
        breakpoint = 4 * (hBS - h) * (hUT - h) * (fcGHz * 1e9) / PhysicalConstants.speedOfLight
        logD = ModelInput.log10(d3D)
        logF = ModelInput.log10(fcGHz)
    }

    /// The two-slope LOS path loss UMi and UMa share (Table 7.4.1-1):
    /// PL1 = A + n·log10(d_3D) + 20·log10(f_c) up to d'_BP, then
    /// PL2 = A + 40·log10(d_3D) + 20·log10(f_c) − k·log10(d'_BP² + (h_BS − h_UT)²).
    func twoSlopeLOS(intercept: Double, nearSlope: Double, breakpointCoefficient: Double) -> Double {
        if d2D <= breakpoint { return intercept + nearSlope * logD + 20 * logF }
        return intercept + 40 * logD + 20 * logF - breakpointCoefficient * ModelInput.log10(breakpoint * breakpoint + dh * dh)
    }
}

/// The LOS probability shape shared by UMi and UMa (Table 7.4.2-1).
enum UrbanLOS {
    /// 1 for d_2D ≤ 18 m, else 18/d + exp(−d/scale)·(1 − 18/d).
    static func streetProbability(distance2D: Double, scale: Double) -> Double {
        let d = ModelInput.clamp(distance2D, 0, ModelInput.maxDistance)
        if d <= 18 { return 1 }
        return ModelInput.clamp(18 / d + Double.exp(-d / scale) * (1 - 18 / d), 0, 1)
    }
}
