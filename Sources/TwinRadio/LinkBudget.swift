import RealModule

/// Link-budget arithmetic of a sensing echo (docs/domain.md §4, TR 38.901 §7.9). Powers in dBm,
/// gains and losses in dB, everything else SI.
public enum LinkBudget {
    /// Boltzmann constant k, J/K.
    public static let boltzmann = PhysicalConstants.boltzmann

    /// Thermal noise power at the receiver, dBm: N = k T F B, N_dBm = 10 log10(N / 1 W) + 30,
    /// F = 10^(NF/10). With T = 290 K this is the familiar −174 dBm/Hz + 10 log10 B + NF
    /// (exactly −173.975 dBm/Hz).
    /// - Parameters:
    ///   - bandwidth: B, Hz.
    ///   - noiseFigureDb: NF, dB.
    ///   - temperature: T, K.
    public static func noisePowerDbm(
        bandwidth: Double, noiseFigureDb: Double,
        temperature: Double = PhysicalConstants.referenceTemperature
    ) -> Double {
        10 * Double.log10(boltzmann * temperature * bandwidth) + noiseFigureDb + 30
    }

    /// Beamforming gain of an N-element array, dB: 10 log10 N.
    public static func arrayGainDb(elements: Int) -> Double {
        10 * Double.log10(Double(Swift.max(elements, 1)))
    }

    /// Coherent integration gain of a sensing frame, dB: 10 log10(N_subcarriers · N_symbols)
    /// (docs/domain.md §4). Added to the per-resource-element SNR it gives the post-integration SNR.
    public static func coherentIntegrationGainDb(subcarriers: Int, symbols: Int) -> Double {
        10 * Double.log10(Double(Swift.max(subcarriers, 1)) * Double(Swift.max(symbols, 1)))
    }

    /// Free-space path loss, dB: 20 log10(4π d / λ) (Friis).
    public static func freeSpacePathLossDb(distance: Double, wavelength: Double) -> Double {
        20 * Double.log10(4 * Double.pi * distance / wavelength)
    }

    /// Received echo power of a target, dBm, in the bistatic radar equation of TR 38.901 §7.9:
    ///
    ///     P_r = P_t + G_t + G_r − PL_tx − PL_rx + 10 log10(4π σ / λ²)
    ///
    /// PL_tx and PL_rx are the losses of the transmitter→target and target→receiver legs,
    /// including their shadow fading where the caller applies it (PL + SF). With free-space
    /// losses this is the classic P_t G_t G_r λ² σ / ((4π)³ d_tx² d_rx²); the 4πσ/λ² term
    /// is the target's gain as a re-radiating aperture.
    /// - Parameters:
    ///   - rcsDbsm: 10 log10(σ / 1 m²).
    ///   - wavelength: λ, m.
    public static func bistaticEchoPowerDbm(
        txPowerDbm: Double, txGainDb: Double, rxGainDb: Double,
        pathLossTxDb: Double, pathLossRxDb: Double,
        rcsDbsm: Double, wavelength: Double
    ) -> Double {
        // 10 log10(4πσ/λ²) = σ_dBsm + 10 log10(4π) − 20 log10 λ
        let targetGainDb = rcsDbsm + 10 * Double.log10(4 * Double.pi) - 20 * Double.log10(wavelength)
        return txPowerDbm + txGainDb + rxGainDb - pathLossTxDb - pathLossRxDb + targetGainDb
    }

    /// Wavelength λ = c / f_c, m.
    public static func wavelength(carrierFrequency: Double) -> Double {
        PhysicalConstants.speedOfLight / carrierFrequency
    }

    /// dB → linear power ratio.
    public static func linear(fromDb db: Double) -> Double { Double.exp10(db / 10) }

    /// Linear power ratio → dB (−∞ for 0).
    public static func db(fromLinear x: Double) -> Double { 10 * Double.log10(x) }
}
