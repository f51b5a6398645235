import RealModule
import TwinMath
import TwinWorld

/// Monte-Carlo checks of waveform fidelity against the abstract fidelity's bounds
/// (`isac-twin waveform-study` prints them; README "Waveform fidelity" keeps a copy).
///
/// Every trial synthesises one frame with a single tap (path length uniform in 30–300 m,
/// rate uniform in ±10 m/s, uniform phase) at the given post-integration SNR, runs the full
/// processor (map, CFAR at the settings' Pfa, refinement) and takes the detected peak nearest
/// the truth within one resolution cell (none: a miss). Errors are mean squares about the truth
/// (bias included). Draws come from substreams of the seed named by table, setting, SNR and
/// trial, so a table is reproducible.
public enum WaveformStudy {
    /// The factory numerology: 28 GHz, 400 MHz, 120 kHz, 14 symbols.
    public static func factoryNumerology(comb: Int) -> OFDMNumerology {
        OFDMNumerology(carrier: 28e9, bandwidth: 400e6, subcarrierSpacing: 120e3, comb: comb, symbols: 14)
    }

    /// The exact Cramér–Rao bound on path length for one tap of unknown phase and Doppler on
    /// this grid (complex exponential across the pilots, Rife & Boorstyn):
    /// c² · 6 / ((2π·comb·Δf)² · SNR · (P² − 1)), P pilots — ≈ 2 × docs/domain.md's 3c²/(4π²B²SNR).
    public static func exactPathLengthVariance(_ n: OFDMNumerology, snr: Double) -> Double {
        let p = Double(n.pilots)
        let w = 2 * Double.pi * Double(n.comb) * n.subcarrierSpacing
        let c = PhysicalConstants.speedOfLight
        return c * c * 6 / (w * w * snr * (p * p - 1))
    }

    /// The exact bound on the rate: λ² · 6 / ((2π T_sym)² · SNR · (M² − 1)) — half of
    /// `CramerRao.rangeRateVariance`'s real-sinusoid form.
    public static func exactRateVariance(_ n: OFDMNumerology, snr: Double) -> Double {
        let m = Double(n.symbols)
        let w = 2 * Double.pi * n.symbolDuration
        return n.wavelength * n.wavelength * 6 / (w * w * snr * (m * m - 1))
    }

    public struct CRLBRow: Sendable, Equatable, Codable {
        public var window: String
        public var snrDb: Double
        public var trials: Int
        public var detectionRate: Double
        /// Mean square path-length error / docs/domain.md's bound 3c²/(4π²B²SNR).
        public var pathLengthRatio: Double
        /// Mean square path-length error / the exact single-tap bound (`exactPathLengthVariance`).
        public var pathLengthRatioExact: Double
        /// Mean square rate error / `CramerRao.rangeRateVariance` (the abstract fidelity's).
        public var rateRatio: Double
        public var rateRatioExact: Double
        /// Mean estimated SNR of the detections, dB (against the true `snrDb`).
        public var estimatedSNRDb: Double
        /// Detections per frame that matched no tap.
        public var falseAlarmsPerFrame: Double
    }

    /// Measured error / bound per SNR bin, for each window.
    public static func crlbTable(
        trials: Int, seed: UInt64, snrDbs: [Double] = [8, 12, 14, 16, 20, 25, 30, 40],
        windows: [WaveformWindow] = [.none, .hann], settings base: WaveformSpec = .default
    ) -> [CRLBRow] {
        let root = SeededRandom(seed: seed).substream("waveform-study/crlb")
        var rows: [CRLBRow] = []
        for window in windows {
            var settings = base
            settings.window = window
            let numerology = factoryNumerology(comb: settings.comb)
            let processor = WaveformProcessor(numerology: numerology, settings: settings)
            for snrDb in snrDbs {
                let snr = Double.pow(10, snrDb / 10)
                var rng = root.substream("\(window.rawValue)/\(snrDb)")
                var detections = 0, falseAlarms = 0
                var (sl, sr, snrSum) = (0.0, 0.0, 0.0)
                for _ in 0..<trials {
                    let tap = WaveformTap(
                        pathLength: rng.uniform(30, 300), rate: rng.uniform(-10, 10), snr: snr, phase: rng.uniform(0, 2 * .pi))
                    processor.synthesize([tap], rng: &rng)
                    let peaks = processor.process()
                    let match = WaveformMatching.match(
                        peaks: peaks, taps: [tap.pathLength], unambiguous: numerology.unambiguousPathLength,
                        radius: numerology.resolution)
                    falseAlarms += match.filter { $0 == nil }.count
                    guard let i = match.firstIndex(where: { $0 != nil }) else { continue }
                    detections += 1
                    let dl = peaks[i].pathLength - tap.pathLength, dr = peaks[i].rate - tap.rate
                    sl += dl * dl
                    sr += dr * dr
                    snrSum += peaks[i].snrDb
                }
                let d = Double(max(detections, 1))
                rows.append(
                    CRLBRow(
                        window: window.rawValue, snrDb: snrDb, trials: trials, detectionRate: Double(detections) / Double(trials),
                        pathLengthRatio: sl / d / CramerRao.pathLengthVariance(bandwidth: numerology.bandwidth, snr: snr),
                        pathLengthRatioExact: sl / d / exactPathLengthVariance(numerology, snr: snr),
                        rateRatio: sr / d
                            / CramerRao.rangeRateVariance(
                                wavelength: numerology.wavelength, symbolDuration: numerology.symbolDuration,
                                symbols: numerology.symbols, snr: snr),
                        rateRatioExact: sr / d / exactRateVariance(numerology, snr: snr),
                        estimatedSNRDb: detections > 0 ? snrSum / d : .nan,
                        falseAlarmsPerFrame: Double(falseAlarms) / Double(trials)))
            }
        }
        return rows
    }

    public struct MultiBandRow: Sendable, Equatable, Codable {
        public var snrDb: Double
        /// Trials in which both bands detected the tap (the RMSEs are over those).
        public var trials: Int
        public var lowPathRMSE: Double
        public var highPathRMSE: Double
        public var fusedPathRMSE: Double
        public var lowRateRMSE: Double
        public var highRateRMSE: Double
        public var fusedRateRMSE: Double
    }

    /// The two bands of the multi-band table: 5.9 GHz / 40 MHz / 30 kHz and 24 GHz / 400 MHz /
    /// 120 kHz, comb 4, 14 symbols each.
    public static let lowBand = OFDMNumerology(carrier: 5.9e9, bandwidth: 40e6, subcarrierSpacing: 30e3, comb: 4, symbols: 14)
    public static let highBand = OFDMNumerology(carrier: 24e9, bandwidth: 400e6, subcarrierSpacing: 120e3, comb: 4, symbols: 14)

    /// RMSE of path length and rate for the low band alone, the high band alone and their
    /// inverse-variance fusion, per SNR (the same post-integration SNR on both bands).
    public static func multiBandTable(
        trials: Int, seed: UInt64, snrDbs: [Double] = [15, 20, 25, 30], settings: WaveformSpec = .default
    ) -> [MultiBandRow] {
        let root = SeededRandom(seed: seed).substream("waveform-study/multi-band")
        let low = WaveformProcessor(numerology: lowBand, settings: settings)
        let high = WaveformProcessor(numerology: highBand, settings: settings)
        var rows: [MultiBandRow] = []
        for snrDb in snrDbs {
            let snr = Double.pow(10, snrDb / 10)
            var rng = root.substream("\(snrDb)")
            var n = 0
            var s = [Double](repeating: 0, count: 6)
            for _ in 0..<trials {
                let length = rng.uniform(30, 300), rate = rng.uniform(-10, 10)
                func measure(_ p: WaveformProcessor) -> MultiBandFusion.Estimate? {
                    let tap = WaveformTap(pathLength: length, rate: rate, snr: snr, phase: rng.uniform(0, 2 * .pi))
                    p.synthesize([tap], rng: &rng)
                    let peaks = p.process()
                    let match = WaveformMatching.match(
                        peaks: peaks, taps: [length], unambiguous: p.numerology.unambiguousPathLength, radius: p.numerology.resolution)
                    guard let i = match.firstIndex(where: { $0 != nil }) else { return nil }
                    return MultiBandFusion.estimate(peaks[i], numerology: p.numerology)
                }
                let a = measure(low), b = measure(high)
                guard let a, let b, let f = MultiBandFusion.fuse([a, b]) else { continue }
                n += 1
                for (k, e) in [a, b, f].enumerated() {
                    s[k] += (e.pathLength - length) * (e.pathLength - length)
                    s[3 + k] += (e.rate - rate) * (e.rate - rate)
                }
            }
            let r = s.map { n > 0 ? ($0 / Double(n)).squareRoot() : .nan }
            rows.append(
                MultiBandRow(
                    snrDb: snrDb, trials: n, lowPathRMSE: r[0], highPathRMSE: r[1], fusedPathRMSE: r[2], lowRateRMSE: r[3],
                    highRateRMSE: r[4], fusedRateRMSE: r[5]))
        }
        return rows
    }

    public struct AngleRow: Sendable, Equatable, Codable {
        /// "azimuth" (periodic, over (−π, π]) or "elevation" (over [−π/2, π/2]).
        public var axis: String
        public var elements: Int
        /// Post-integration SNR of the tap (over the axis's elements and the symbols), dB.
        public var snrDb: Double
        public var trials: Int
        /// RMSE of MUSIC's angle, degrees.
        public var rmseDegrees: Double
        /// √ of the exact bound 6/(SNR·(m² − 1)) (`AxisMUSIC.bound`), degrees.
        public var crbDegrees: Double
        /// Mean square error / the exact bound.
        public var ratioExact: Double
        /// Mean square error / the abstract fidelity's 6/(m³·SNR) (`CramerRao.angleVariance`).
        public var ratioDomain: Double
        /// Fraction of trials with an error beyond 4 bound σ (or no estimate).
        public var outliers: Double
    }

    /// MUSIC angle errors over the bound per SNR: one tap per trial at the detected path length
    /// (no delay error), rate uniform in ±10 m/s, uniform phase, its electrical angle uniform over
    /// the axis's range (azimuth ±π; elevation ±1.2 rad), S = 14 snapshots of the factory
    /// numerology; the 16-element horizontal and 8-element vertical axes of the factory TRPs'
    /// 16 × 8 planar array, processed one axis at a time (`AxisMUSIC`).
    public static func angleTable(
        trials: Int, seed: UInt64, snrDbs: [Double] = [0, 5, 10, 15, 20, 25, 30, 40],
        axes: [(axis: String, elements: Int)] = [("azimuth", 16), ("elevation", 8)]
    ) -> [AngleRow] {
        let root = SeededRandom(seed: seed).substream("waveform-study/angles")
        let numerology = factoryNumerology(comb: WaveformSpec.default.comb)
        var rows: [AngleRow] = []
        for (axis, m) in axes {
            let periodic = axis == "azimuth"
            for snrDb in snrDbs {
                let snr = Double.pow(10, snrDb / 10)
                var rng = root.substream("\(axis)/\(m)/\(snrDb)")
                let bound = AxisMUSIC.bound(elements: m, snr: snr)
                var sum = 0.0
                var outliers = 0
                for _ in 0..<trials {
                    let truth = periodic ? rng.uniform(-.pi, .pi) : rng.uniform(-1.2, 1.2)
                    let tap = WaveformTap(
                        pathLength: rng.uniform(30, 300), rate: rng.uniform(-10, 10), snr: snr, phase: rng.uniform(0, 2 * .pi))
                    let x = AxisMUSIC.snapshots(
                        taps: [ArrayTap(tap: tap, angle: truth)], pathLength: tap.pathLength, numerology: numerology, elements: m,
                        rng: &rng)
                    let estimate = AxisMUSIC.estimate(snapshots: x, periodic: periodic, lower: -.pi / 2, upper: .pi / 2)
                    let e = estimate.map { periodic ? wrapAngle($0.angle - truth) : $0.angle - truth } ?? .pi
                    if e * e > 16 * bound { outliers += 1 }
                    sum += e * e
                }
                let mse = sum / Double(trials)
                let degrees = 180 / Double.pi
                rows.append(
                    AngleRow(
                        axis: axis, elements: m, snrDb: snrDb, trials: trials, rmseDegrees: mse.squareRoot() * degrees,
                        crbDegrees: bound.squareRoot() * degrees, ratioExact: mse / bound,
                        ratioDomain: mse / CramerRao.angleVariance(elements: m, snr: snr),
                        outliers: Double(outliers) / Double(trials)))
            }
        }
        return rows
    }
}
