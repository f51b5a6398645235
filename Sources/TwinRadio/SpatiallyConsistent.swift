import RealModule
import TwinMath

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A standard-normal value that evolves as its owner moves: a first-order Gauss–Markov
/// (exponentially correlated) process over distance, the usual way to make shadow fading and
/// the LOS state spatially consistent (Gudmundson 1991; TR 38.901 §7.5 step 4 and §7.6.3):
///
///     ρ = exp(−Δd / d_corr),   g ← ρ g + √(1 − ρ²) w,   w ~ N(0, 1)
///
/// g stays N(0, 1) at every step, and the correlation of two values Δd apart is
/// exp(−Δd / d_corr) however the path is cut into steps. The first call draws g ~ N(0, 1).
///
/// Uses:
/// - shadow fading: SF = σ_SF · g (dB);
/// - LOS state: LOS iff Φ(g) < Pr_LOS, Φ the standard normal CDF. Φ(g) is uniform on (0, 1),
///   so the link is LOS with probability Pr_LOS, and it only flips when g or Pr_LOS drift
///   across the threshold, not every frame (the §7.6.3.3 spatially consistent LOS state).
///
/// Every call draws exactly one normal, whatever Δd, so the generator's stream stays aligned
/// across runs that differ only in how far things moved.
public struct GaussMarkovOverDistance: Codable, Sendable, Equatable {
    /// The current standard-normal value; nil before the first `advance`.
    public private(set) var value: Double?

    public init() {}

    /// A process already at g (for tests and resumed runs).
    public init(value: Double) { self.value = value }

    /// Moves the process `distanceMoved` (m, or s for a process in time) and returns the new g.
    /// A correlation distance ≤ 0 (or a non-finite move) gives an independent draw; a negative
    /// move counts as its absolute value.
    public mutating func advance(
        distanceMoved: Double, correlationDistance: Double,
        rng: inout SeededRandom
    ) -> Double {
        let w = rng.gaussian()
        guard let g = value else {
            value = w
            return w
        }
        let step = abs(distanceMoved)
        // d_corr = +∞ gives ρ = 1 (a frozen value); NaN inputs give ρ = 0.
        let rho = correlationDistance > 0 && step.isFinite ? Double.exp(-step / correlationDistance) : 0
        let next = rho * g + (Swift.max(0, 1 - rho * rho)).squareRoot() * w
        value = next
        return next
    }
}

/// The standard normal distribution.
public enum StandardNormal {
    /// Φ(x) = ½ erfc(−x/√2), accurate in both tails (no 1 − small cancellation).
    public static func cdf(_ x: Double) -> Double {
        if x.isNaN { return 0.5 }
        return 0.5 * erfc(-x / 2.0.squareRoot())
    }
}

/// What a link's large-scale state is at one instant.
public struct LinkLargeScale: Sendable, Equatable {
    public var isLOS: Bool
    /// Pr_LOS of the geometry (Table 7.4.2-1).
    public var losProbability: Double
    /// Mean loss and σ_SF of the drawn state.
    public var pathLoss: PathLoss
    /// Shadow fading σ_SF · g, dB.
    public var shadowFadingDb: Double
    /// Mean loss plus shadow fading, dB.
    public var totalLossDb: Double { pathLoss.meanDb + shadowFadingDb }
}

/// The spatially consistent random state of one link (one anchor and one moving end): a
/// Gauss–Markov LOS variable over the LOS-state correlation distance and a Gauss–Markov
/// shadow-fading variable over the shadow correlation distance of the current state.
///
/// One standard normal serves shadowing in both states (σ_SF and the correlation distance
/// switch with the state): 38.901 draws separate LOS and NLOS fields, but a link is in one state
/// at a time and a single variable keeps shadowing continuous across a switch.
public struct LinkLargeScaleState: Codable, Sendable, Equatable {
    public private(set) var los = GaussMarkovOverDistance()
    public private(set) var shadow = GaussMarkovOverDistance()

    public init() {}

    /// Advances both variables by the distance the moving end travelled since the last call
    /// and evaluates the link. Draws two normals (one without `stochasticLOS`).
    ///
    /// - Parameters:
    ///   - blocked: the map's geometry blocks the ray, so the link is NLOS whatever the draw.
    ///   - stochasticLOS: whether the 38.901 LOS probability decides (with `blocked` on top);
    ///     false leaves LOS to the geometry alone.
    public mutating func advance(
        geometry: LinkGeometry, carrierFrequency: Double,
        model: any PropagationModel, distanceMoved: Double,
        rng: inout SeededRandom, blocked: Bool = false, stochasticLOS: Bool = true
    ) -> LinkLargeScale {
        // Without the stochastic LOS the geometry alone decides: no LOS draw (one normal per
        // call instead of two) and a reported probability of 1 for an unblocked ray.
        var pLOS = 1.0
        var isLOS = !blocked
        if stochasticLOS {
            pLOS = model.losProbability(geometry)
            let gLOS = los.advance(
                distanceMoved: distanceMoved, correlationDistance: model.losCorrelationDistance,
                rng: &rng)
            isLOS = isLOS && StandardNormal.cdf(gLOS) < pLOS
        }
        let corr = model.shadowCorrelationDistance
        let gSF = shadow.advance(
            distanceMoved: distanceMoved,
            correlationDistance: isLOS ? corr.los : corr.nlos, rng: &rng)
        let pl = model.pathLoss(geometry, carrierFrequency: carrierFrequency, los: isLOS)
        return LinkLargeScale(
            isLOS: isLOS, losProbability: pLOS, pathLoss: pl,
            shadowFadingDb: pl.shadowSigmaDb * gSF)
    }
}
