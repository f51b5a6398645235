import RealModule
import TwinWorld

/// A TR 38.901 large-scale propagation model: LOS probability (Table 7.4.2-1), path loss and
/// shadow-fading spread (Table 7.4.1-1), and the correlation distances that make random draws
/// spatially consistent (Table 7.5-6 for shadow fading, Table 7.6.3.1-2 for the LOS state).
///
/// Inputs outside a formula's validity range are clamped to the nearest valid value (each
/// model says which and why), so every method returns a finite number for any input,
/// including a zero distance, a negative height or NaN.
public protocol PropagationModel: Sendable {
    /// Probability that the link is LOS, in [0, 1].
    func losProbability(_ g: LinkGeometry) -> Double
    /// Mean path loss and shadow-fading σ for the link in the given state.
    /// - Parameter carrierFrequency: f_c in Hz (the tables take GHz; the conversion is inside).
    func pathLoss(_ g: LinkGeometry, carrierFrequency: Double, los: Bool) -> PathLoss
    /// Decorrelation distance of shadow fading in LOS and in NLOS, m (Table 7.5-6).
    var shadowCorrelationDistance: (los: Double, nlos: Double) { get }
    /// Decorrelation distance of the LOS/NLOS state, m (Table 7.6.3.1-2).
    var losCorrelationDistance: Double { get }
}

/// The propagation scenario of a map: what the world file's map kind and InF sub-scenario say.
public enum PropagationScenario: Sendable, Equatable {
    /// TR 38.901 indoor factory with its sub-scenario and clutter parameters.
    case indoorFactory(InFSubScenario, ClutterSpec)
    /// Urban micro, street canyon (micro base stations below the rooftops).
    case urbanMicro
    /// Urban macro (macro base stations above the rooftops).
    case urbanMacro

    /// The model that implements this scenario.
    public var model: any PropagationModel {
        switch self {
        case .indoorFactory(let sub, let clutter): return InFPropagation(subScenario: sub, clutter: clutter)
        case .urbanMicro: return UMiPropagation()
        case .urbanMacro: return UMaPropagation()
        }
    }
}

// MARK: - Shared input sanitising

/// Clamping of model inputs. Every formula of Table 7.4.1-1 is a log-distance law, so inside
/// the code NaN must never reach `log10`: NaN maps to the lower bound, ±∞ to the bounds.
enum ModelInput {
    /// Distances are capped here only to keep results finite; formulas are extrapolated (not
    /// clamped) beyond their upper validity limit (5 km, 600 m), because flattening the loss
    /// would make far targets look detectable.
    static let maxDistance = 1.0e7

    /// Frequency range of TR 38.901 (§7.1: 0.5–100 GHz), GHz.
    static let carrierRangeGHz = 0.5...100.0

    @inline(__always)
    static func clamp(_ x: Double, _ lo: Double, _ hi: Double) -> Double {
        if x.isNaN { return lo }
        return Swift.min(Swift.max(x, lo), hi)
    }

    /// f_c in GHz, clamped to 0.5–100 GHz (a zero or negative frequency would make log10 f_c
    /// infinite).
    static func carrierGHz(_ hertz: Double) -> Double {
        clamp(hertz / 1e9, carrierRangeGHz.lowerBound, carrierRangeGHz.upperBound)
    }

    @inline(__always) static func log10(_ x: Double) -> Double { Double.log10(x) }
}
