import Testing
import TwinRadio

struct CramerRaoTests {
    @Test func pathLength() {
        // 3 c² / (4π² B² SNR), B 400 MHz, SNR 100 (20 dB):
        // 3 · 8.98755179e16 / (39.4784176 · 1.6e17 · 100) = 2.69626554e17 / 6.31654682e20 = 4.268575e-4 m²
        // (1σ = 2.07 cm).
        #expect(close(CramerRao.pathLengthVariance(bandwidth: 400e6, snr: 100), 4.268575e-4, 1e-9))
        // Quadrupling the bandwidth divides it by 16.
        #expect(close(CramerRao.pathLengthVariance(bandwidth: 1600e6, snr: 100), 4.268575e-4 / 16, 1e-10))
    }

    @Test func angle() {
        // 6 / (8³ · 100) = 6 / 51200 = 1.171875e-4 rad².
        #expect(close(CramerRao.angleVariance(elements: 8, snr: 100), 1.171875e-4, 1e-15))
        // 6 / (4³ · 10) = 6 / 640.
        #expect(close(CramerRao.angleVariance(elements: 4, snr: 10), 0.009375, 1e-15))
    }

    @Test func rangeRate() {
        // λ = c / 28 GHz = 0.0107068735 m, T_sym = 8.92 µs (120 kHz with CP), N = 14, SNR 1000:
        // (2π T)² = (5.6046e-5)² = 3.14119e-9; N² − 1 = 195
        // var(f) = 12 / (3.14119e-9 · 1000 · 195) = 19591.03 Hz²; var(ṙ) = λ² var(f) = 2.245859 (m/s)²
        let v = CramerRao.rangeRateVariance(wavelength: 0.0107068735, symbolDuration: 8.92e-6, symbols: 14, snr: 1000)
        #expect(close(v, 2.245859, 1e-5))
    }

    @Test func noSignalMeansInfiniteVariance() {
        for snr in [0.0, -1, -.infinity, .nan] {
            #expect(CramerRao.pathLengthVariance(bandwidth: 100e6, snr: snr) == .infinity)
            #expect(CramerRao.angleVariance(elements: 8, snr: snr) == .infinity)
            #expect(
                CramerRao.rangeRateVariance(wavelength: 0.01, symbolDuration: 1e-5, symbols: 14, snr: snr) == .infinity)
        }
        // Apertures that cannot measure the quantity.
        #expect(CramerRao.angleVariance(elements: 1, snr: 100) == .infinity)
        #expect(CramerRao.rangeRateVariance(wavelength: 0.01, symbolDuration: 1e-5, symbols: 1, snr: 100) == .infinity)
        #expect(CramerRao.pathLengthVariance(bandwidth: 0, snr: 100) == .infinity)
    }
}
