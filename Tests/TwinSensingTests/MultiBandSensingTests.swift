import Foundation
import RealModule
import Testing
import TwinMath
import TwinRadio
import TwinWorld

@testable import TwinSensing

/// Multi-band base stations (`secondBand`): each echo measured on both bands and fused.
@Suite struct MultiBandSensingTests {
    static let low = ", carrierGHz: 5.9, bandwidthMHz: 40, subcarrierSpacingKHz: 30"
    static let high = ", carrierGHz: 24, bandwidthMHz: 400, subcarrierSpacingKHz: 120"
    static let lowPlusHigh = low + ", secondBand: {carrierGHz: 24, bandwidthMHz: 400, subcarrierSpacingKHz: 120}"
    static let highPlusLow = high + ", secondBand: {carrierGHz: 5.9, bandwidthMHz: 40, subcarrierSpacingKHz: 30}"
    static let sensing = "mode: monostatic, nlosProbability: 0, clutterRate: 0, lineOfSight: geometry"

    /// By hand: the second band's echo SNR minus the first's, dB, for a monostatic InF-SL LOS
    /// echo (same power, arrays, noise figure, 14 symbols): noise −10·log10(B₂/B₁), coherent
    /// integration +10·log10(N₂/N₁) with N = ⌊B/Δf⌋, aperture +20·log10(f₂/f₁), path loss
    /// (31.84 + 21.5·log10 d + 19·log10 f, both legs) −2·19·log10(f₂/f₁).
    static func snrStepDb(_ f1: Double, _ b1: Double, _ s1: Double, _ f2: Double, _ b2: Double, _ s2: Double) -> Double {
        let n1 = (b1 / s1).rounded(.down), n2 = (b2 / s2).rounded(.down)
        return -10 * Double.log10(b2 / b1) + 10 * Double.log10(n2 / n1) + 20 * Double.log10(f2 / f1) - 38 * Double.log10(f2 / f1)
    }
    /// Monostatic range CRLB: 3c²/(4π²B²·SNR), halved range so ÷ 4.
    static func rangeVariance(bandwidth: Double, snrDb: Double) -> Double {
        3 * c * c / (4 * .pi * .pi * bandwidth * bandwidth * Double.exp10(snrDb / 10)) / 4
    }

    /// The target echoes of link 0 (BS a's own) over `frames` frames.
    func echoes(bs: String, sensing: String = MultiBandSensingTests.sensing, frames: Int) throws -> [TwinSensing.Measurement] {
        var (world, engine) = try engine(hoverWorld(sensing: sensing, bs: bs))
        var out: [TwinSensing.Measurement] = []
        for _ in 0..<frames {
            let (obs, truth) = engine.observe(world.step(dt: 0.1))
            for (m, t) in zip(obs.measurements, truth.labels) where m.linkId == 0 && t.pathType == .target { out.append(m) }
        }
        return out
    }

    @Test func fusedVarianceIsTheInverseVarianceCombinationOfBothBands() throws {
        let step = Self.snrStepDb(5.9e9, 40e6, 30e3, 24e9, 400e6, 120e3)
        #expect(abs(step - (-10 + 10 * Double.log10(3333.0 / 1333) - 18 * Double.log10(24 / 5.9))) < 1e-12)
        let ms = try echoes(bs: Self.lowPlusHigh, frames: 200)
        #expect(ms.count == 200)
        for m in ms {
            let v1 = Self.rangeVariance(bandwidth: 40e6, snrDb: m.snrDb)
            let v2 = Self.rangeVariance(bandwidth: 400e6, snrDb: m.snrDb + step)
            #expect(abs(m.rangeVariance / (v1 * v2 / (v1 + v2)) - 1) < 1e-9)
            #expect(m.rangeRateVariance.isFinite && m.rangeRateVariance > 0 && m.range.isFinite && m.rangeRate.isFinite)
        }
    }

    /// Monte-Carlo over 3000 frames of a hovering UAV: the fused range's and rate's squared
    /// errors are well below each band's alone (same seed and world, one band only), and the
    /// fused errors normalised by the reported variance have variance 1.
    @Test func fusionBeatsEachBandAlone() throws {
        let truth = Vec3(10, 10, 6).distance(to: Vec3(20, 10, 4))
        func mse(_ ms: [TwinSensing.Measurement]) -> (range: Double, rate: Double) {
            (
                ms.reduce(0) { $0 + ($1.range - truth) * ($1.range - truth) } / Double(ms.count),
                ms.reduce(0) { $0 + $1.rangeRate * $1.rangeRate } / Double(ms.count)
            )
        }
        let frames = 3000
        let fused = try echoes(bs: Self.lowPlusHigh, frames: frames)
        let low = try echoes(bs: Self.low, frames: frames)
        let high = try echoes(bs: Self.high, frames: frames)
        #expect(fused.count == frames && low.count == frames && high.count == frames)
        let (f, l, h) = (mse(fused), mse(low), mse(high))
        // Expected (CRLB): high ≈ low / 2, fused ≈ low / 3 — ratios 1/3 and 2/3.
        #expect(f.range < 0.8 * l.range && f.range < 0.8 * h.range)
        // Rate: λ/T_sym is almost the same on both bands (5.08 cm / 35.7 µs, 1.25 cm / 8.9 µs),
        // so the low band's ≈ 17 dB more SNR makes its rate ≈ 50 × better: fusion gains ≈ 2 %.
        #expect(f.rate < 0.5 * h.rate && f.rate < 1.05 * l.rate)
        let z = fused.map { ($0.range - truth) / $0.rangeVariance.squareRoot() }
        let zVar = z.reduce(0) { $0 + $1 * $1 } / Double(z.count)
        #expect(abs(zVar - 1) < 0.1)
    }

    /// With a threshold between the two bands' SNRs only the stronger band detects: its own
    /// CRLB variance, unfused (and, for the second band, its SNR is reported).
    @Test func onlyTheDetectingBandCounts() throws {
        let step = Self.snrStepDb(5.9e9, 40e6, 30e3, 24e9, 400e6, 120e3)  // ≈ −17 dB
        let first = try #require(try echoes(bs: Self.lowPlusHigh, frames: 1).first)
        // Low band primary: only it detects.
        let threshold1 = first.snrDb + step / 2
        let a = try echoes(bs: Self.lowPlusHigh, sensing: Self.sensing + ", detectionThresholdDb: \(threshold1)", frames: 20)
        var onlyPrimary = 0
        for m in a where m.snrDb + step < threshold1 {
            onlyPrimary += 1
            #expect(abs(m.rangeVariance / Self.rangeVariance(bandwidth: 40e6, snrDb: m.snrDb) - 1) < 1e-9)
        }
        #expect(onlyPrimary > 0)
        // High band primary, low band second (≈ 17 dB stronger): only the second band detects.
        let swapped = try #require(try echoes(bs: Self.highPlusLow, frames: 1).first)
        let back = -Self.snrStepDb(5.9e9, 40e6, 30e3, 24e9, 400e6, 120e3)
        // Both detect at the default threshold: the reported SNR is the primary's.
        let threshold2 = swapped.snrDb + back / 2
        let b = try echoes(bs: Self.highPlusLow, sensing: Self.sensing + ", detectionThresholdDb: \(threshold2)", frames: 20)
        #expect(!b.isEmpty)
        var onlySecond = 0
        for m in b {
            // Either only the second band detects (its SNR reported, its variance alone) or, on an
            // RCS peak, both do (the primary's SNR reported, the fused variance).
            let second = Self.rangeVariance(bandwidth: 40e6, snrDb: m.snrDb)
            let vh = Self.rangeVariance(bandwidth: 400e6, snrDb: m.snrDb)
            let vl = Self.rangeVariance(bandwidth: 40e6, snrDb: m.snrDb + back)
            if abs(m.rangeVariance / second - 1) < 1e-9 {
                onlySecond += 1
                #expect(m.snrDb >= threshold2 && m.snrDb - back < threshold2)
            } else {
                #expect(abs(m.rangeVariance / (vh * vl / (vh + vl)) - 1) < 1e-9)
                #expect(m.snrDb >= threshold2)
            }
        }
        #expect(onlySecond > 0)
    }

    /// A second band on BS b changes nothing on BS a's own link; runs repeat exactly.
    @Test func otherLinksUnchangedAndDeterministic() throws {
        let plain = hoverWorld(sensing: Self.sensing)
        let withB = plain.replacingOccurrences(
            of: "{name: b, position: [30, 10, 6]}",
            with: "{name: b, position: [30, 10, 6], secondBand: {carrierGHz: 7, bandwidthMHz: 100, subcarrierSpacingKHz: 30}}")
        #expect(withB != plain)
        var (w1, e1) = try engine(plain)
        var (w2, e2) = try engine(withB)
        var (w3, e3) = try engine(withB)
        var changedOnB = false
        for _ in 0..<30 {
            let (o1, _) = e1.observe(w1.step(dt: 0.1))
            let (o2, _) = e2.observe(w2.step(dt: 0.1))
            let (o3, _) = e3.observe(w3.step(dt: 0.1))
            #expect(o2.measurements == o3.measurements)
            #expect(o1.measurements.filter { $0.linkId == 0 } == o2.measurements.filter { $0.linkId == 0 })
            if o1.measurements.filter({ $0.linkId == 1 }) != o2.measurements.filter({ $0.linkId == 1 }) { changedOnB = true }
        }
        #expect(changedOnB)
        let d1 = try observationDigest(world: "factory-multiband", mode: .monostatic, frames: 10)
        let d2 = try observationDigest(world: "factory-multiband", mode: .monostatic, frames: 10)
        #expect(d1 == d2)
    }
}
