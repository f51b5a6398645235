import RealModule

/// The OFDM frame a sensing link processes in waveform fidelity.
///
/// `subcarriers` = ⌊B/Δf⌋ occupied subcarriers; a reference signal on every `comb`-th one
/// (`pilots` of them, power concentrated on them so the frame's energy — and so the link
/// budget's post-integration SNR — is unchanged); `symbols` OFDM symbols of duration
/// T_sym = 1.07/Δf (useful symbol plus the normal cyclic prefix, as in the link budget).
public struct OFDMNumerology: Sendable, Equatable {
    public var carrier: Double
    public var subcarrierSpacing: Double
    public var subcarriers: Int
    public var comb: Int
    public var symbols: Int
    public var symbolDuration: Double

    public init(carrier: Double, bandwidth: Double, subcarrierSpacing: Double, comb: Int, symbols: Int) {
        precondition(carrier > 0 && bandwidth > 0 && subcarrierSpacing > 0 && comb >= 1 && symbols >= 1, "bad OFDM numerology")
        self.carrier = carrier
        self.subcarrierSpacing = subcarrierSpacing
        self.subcarriers = max(1, Int((bandwidth / subcarrierSpacing).rounded(.down)))
        self.comb = comb
        self.symbols = symbols
        self.symbolDuration = 1.07 / subcarrierSpacing
    }

    /// Subcarriers carrying the reference signal: 0, comb, 2·comb, … below `subcarriers`.
    public var pilots: Int { (subcarriers + comb - 1) / comb }
    /// Occupied bandwidth N_sc·Δf, Hz (the B of the Cramér–Rao bound).
    public var bandwidth: Double { Double(subcarriers) * subcarrierSpacing }
    public var wavelength: Double { PhysicalConstants.speedOfLight / carrier }
    /// Path length after which delays alias: c / (comb·Δf), m.
    public var unambiguousPathLength: Double { PhysicalConstants.speedOfLight / (Double(comb) * subcarrierSpacing) }
    /// Path-length resolution (Rayleigh, rectangular window): c / (pilots·comb·Δf) ≈ c/B, m.
    public var resolution: Double { PhysicalConstants.speedOfLight / (Double(pilots * comb) * subcarrierSpacing) }
    /// Range-rate resolution λ / (N_sym·T_sym), m/s.
    public var rateResolution: Double { wavelength / (Double(symbols) * symbolDuration) }
}

/// One propagation path (tap) of a link's channel, as synthesised.
public struct WaveformTap: Sendable, Equatable {
    /// Path length, m, including c × the link's clock offset (the receiver sees the delay).
    public var pathLength: Double
    /// Rate of change of the path length, m/s (Doppler f_D = −rate/λ).
    public var rate: Double
    /// Post-integration SNR over all pilots and symbols, linear (the link budget's SNR).
    public var snr: Double
    /// Carrier phase, rad.
    public var phase: Double

    public init(pathLength: Double, rate: Double, snr: Double, phase: Double = 0) {
        (self.pathLength, self.rate, self.snr, self.phase) = (pathLength, rate, snr, phase)
    }
}

/// A detected and refined peak of a range–Doppler map.
public struct WaveformPeak: Sendable, Equatable {
    /// Path length in [0, unambiguous path length), m.
    public var pathLength: Double
    /// Path-length rate, m/s.
    public var rate: Double
    /// Estimated post-integration SNR, linear (from the refined peak and the map's noise level).
    public var snr: Double
    /// Map cell of the detection (delay bin, Doppler bin) and its power over the CFAR level.
    public var delayBin: Int
    public var dopplerBin: Int
    public var cfarRatio: Double

    public var snrDb: Double { 10 * Double.log10(snr) }
}
