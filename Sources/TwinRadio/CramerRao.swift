import RealModule

/// Cramér–Rao lower bounds used as measurement-noise variances in abstract fidelity
/// (docs/domain.md §5). SNR is linear and post-integration unless a function says otherwise.
/// Every bound returns `.infinity` when SNR ≤ 0 (or is NaN), or when the aperture cannot
/// measure the quantity at all (fewer than 2 elements or symbols, zero bandwidth): no
/// information, unbounded variance. A caller should miss such an echo rather than draw from it.
///
/// **Conventions.** The three formulas are the ones docs/domain.md states. They do not share one
/// SNR convention: for a complex exponential in circular complex noise with per-sample
/// SNR ρ = A²/σ², the bound on its (radian) frequency over N samples is 6 / (ρ N (N² − 1)).
/// - `angleVariance` is that bound with N = m elements, ρ the per-element SNR, and the
///   frequency read as the electrical angle (ψ = π sin θ for λ/2 spacing).
/// - `pathLengthVariance` is half of what the same bound gives across N subcarriers
///   (3c²/(2π²B²·SNR) with SNR = Nρ).
/// - `rangeRateVariance` uses the real-sinusoid form 12/(…) (Kay, *Fundamentals of
///   Statistical Signal Processing I*, Example 3.14), twice the complex-exponential bound.
/// The waveform-fidelity mode (docs/domain.md §6) is the check on which convention is honest.
public enum CramerRao {
    /// Variance of a path-length (delay × c) estimate, m²: 3 c² / (4π² B² · SNR).
    /// - Parameters:
    ///   - bandwidth: B, Hz (occupied bandwidth, flat spectrum).
    ///   - snr: linear post-integration SNR.
    public static func pathLengthVariance(bandwidth: Double, snr: Double) -> Double {
        guard snr > 0, bandwidth > 0 else { return .infinity }
        let c = PhysicalConstants.speedOfLight
        return finite(3 * c * c / (4 * Double.pi * Double.pi * bandwidth * bandwidth * snr))
    }

    /// Variance of an angle estimate along one array axis, rad²: 6 / (m³ · SNR).
    /// - Parameters:
    ///   - elements: m, elements along that axis (fewer than 2: no angle, `.infinity`).
    ///   - snr: linear SNR.
    public static func angleVariance(elements: Int, snr: Double) -> Double {
        guard snr > 0, elements >= 2 else { return .infinity }
        let m = Double(elements)
        return finite(6 / (m * m * m * snr))
    }

    /// Variance of a path-length-rate (bistatic range rate) estimate, (m/s)².
    ///
    /// The Doppler shift of the echo is f_D = −ṙ / λ, ṙ the rate of change of the total path
    /// length (docs/domain.md §2: v·(û_i + û_j)). Across N OFDM symbols spaced T_sym the echo's
    /// phase advances by 2π f_D T_sym per symbol, so f_D is the frequency of a sinusoid sampled
    /// N times at interval T_sym. The frequency-estimation CRLB (Rife & Boorstyn 1974; Kay,
    /// Example 3.14) with η the per-symbol SNR is var(f) = 12 / ((2π T_sym)² η N (N² − 1)).
    /// Writing the post-integration SNR as SNR = N η:
    ///
    ///     var(f_D) = 12 / ((2π T_sym)² · SNR · (N² − 1)),   var(ṙ) = λ² var(f_D)
    ///
    /// Assumptions: the target's range rate is constant over the frame (no acceleration, no
    /// range migration across cells), symbols are equally spaced (T_sym includes the cyclic
    /// prefix), and SNR counts the coherent gain over all N symbols (and subcarriers).
    /// - Parameters:
    ///   - wavelength: λ, m.
    ///   - symbolDuration: T_sym, s (OFDM symbol period with cyclic prefix).
    ///   - symbols: N, symbols in the coherent frame (fewer than 2: no Doppler, `.infinity`).
    ///   - snr: linear post-integration SNR.
    public static func rangeRateVariance(
        wavelength: Double, symbolDuration: Double, symbols: Int,
        snr: Double
    ) -> Double {
        guard snr > 0, symbols >= 2, symbolDuration > 0, wavelength.isFinite else { return .infinity }
        let n = Double(symbols)
        let omegaT = 2 * Double.pi * symbolDuration
        let frequencyVariance = 12 / (omegaT * omegaT * snr * (n * n - 1))
        return finite(wavelength * wavelength * frequencyVariance)
    }

    /// NaN (from NaN inputs that slipped past the guards) becomes +∞: no information.
    @inline(__always) private static func finite(_ v: Double) -> Double { v.isNaN ? .infinity : v }
}
