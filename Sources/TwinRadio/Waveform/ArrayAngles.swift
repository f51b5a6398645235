import ComplexModule
import RealModule
import TwinMath

/// A path seen by a receive-array axis in waveform fidelity: its tap on the OFDM grid and its
/// electrical angle along the axis.
public struct ArrayTap: Sendable, Equatable {
    public var tap: WaveformTap
    /// Electrical angle ψ, rad: the phase step from one element to the next is ψ.
    public var angle: Double

    public init(tap: WaveformTap, angle: Double) {
        self.tap = tap
        self.angle = angle
    }
}

/// Angles of arrival from a receive array's snapshots by MUSIC, along one array axis
/// (waveform fidelity's `sensing.waveform.angles: music`; docs/domain.md §7).
///
/// **Model.** One axis of m elements measures the electrical angle ψ: element n sees the
/// phase e^{jnψ}. docs/domain.md's angle bound 6/(m³·SNR) is the bound on ψ read as the angle
/// (CramerRao.swift, "Conventions"), and the abstract fidelity reports it for the world-frame
/// azimuth over (−π, π] and the elevation, ignoring the array's orientation; waveform
/// fidelity keeps that reading, so ψ *is* the reported azimuth (periodic) or elevation.
///
/// **Snapshots.** After the delay transform of the pilots at the detected path length L̂
/// (rectangular matched sum, normalised so the noise keeps unit variance per element and
/// symbol) the axis has one snapshot per OFDM symbol s:
/// x_s[n] = Σ_p g_p·K(L_p − L̂)·e^{jφ_p}·e^{j2π f_D,p s T_sym}·e^{jnψ_p} + w_s[n],
/// K(Δ) = (1/P)·Σ_k e^{−j2πkΔ/L_u} the Dirichlet kernel of P pilots (L_u = c/(comb·Δf)), so
/// taps within a few resolution cells blend as they do in the map, and w unit complex normal.
/// The tap gain |g_p|² = SNR_p/(m·S): SNR_p is the link budget's post-integration SNR, which
/// already contains the whole receive array's gain (`LinkBudget.arrayGainDb`); per element,
/// pilot and symbol a tap has SNR_p/(N_rx·P·S) for N_rx = m·m′ elements, the matched sum over
/// the P pilots multiplies it by P, and beamforming the orthogonal axis's m′ elements towards
/// the path by m′ — so coherent integration over the axis's m elements and the S symbols gives
/// back exactly SNR_p. (The orthogonal axis is assumed steered right: decoupled processing.)
///
/// **Bound.** For one source and these B = S snapshots the deterministic Cramér–Rao bound on ψ
/// is 6/(ρ·S·m(m² − 1)) with ρ = SNR/(m·S): `bound` = 6/(SNR·(m² − 1)) — about m times the
/// abstract fidelity's 6/(m³·SNR), which feeds the post-integration SNR to a per-element form.
///
/// **Estimator.** Sample covariance with forward–backward averaging (decorrelates paths that
/// share a Doppler cell; 2S effective snapshots), Hermitian eigen-decomposition, model order K
/// by MDL when 2S > m (at least 1, at most m − 1), else 1; pseudo-spectrum
/// 1/(m − Σ_k |e_kᴴa(ψ)|²) over the K signal eigenvectors on a grid of 8m points; its K
/// largest local maxima, each refined by golden-section search between its grid neighbours.
/// The reported angle is the maximum nearest the peak of the principal eigenvector's beam
/// |e_maxᴴa(ψ)|² — the strongest source.
public enum AxisMUSIC {
    /// a_n(ψ) = e^{jnψ}, n = 0…m−1.
    public static func steering(elements: Int, angle: Double) -> [Complex<Double>] {
        (0..<elements).map { Complex(length: 1, phase: angle * Double($0)) }
    }

    /// The Cramér–Rao bound on ψ for one source seen by m elements at post-integration
    /// (whole-axis, all-symbol) SNR: 6/(SNR·(m² − 1)), rad²; infinite for m < 2 or SNR ≤ 0.
    public static func bound(elements: Int, snr: Double) -> Double {
        guard elements >= 2, snr > 0 else { return .infinity }
        let m = Double(elements)
        return 6 / (snr * (m * m - 1))
    }

    /// The Dirichlet kernel (1/P)·Σ_{k<P} e^{−j2πkΔ/L_u} of the pilots' matched sum at a
    /// path-length offset Δ.
    public static func kernel(offset: Double, pilots: Int, unambiguous: Double) -> Complex<Double> {
        let x = Double.pi * offset / unambiguous
        let p = Double(pilots)
        let s = Double.sin(x)
        let magnitude = abs(s) < 1e-12 ? 1 : Double.sin(p * x) / (p * s)
        return Complex<Double>(length: 1, phase: -x * (p - 1)).multiplied(by: magnitude)
    }

    /// Synthesises one axis's S snapshots (`numerology.symbols` of them, m elements each) at
    /// the detected path length `pathLength` from the true taps (model above); taps whose power
    /// per element and symbol after the kernel is below 1e-6 of the noise are left out.
    public static func snapshots(
        taps: [ArrayTap], pathLength: Double, numerology n: OFDMNumerology, elements m: Int, rng: inout SeededRandom
    ) -> [[Complex<Double>]] {
        let symbols = n.symbols
        var x = [[Complex<Double>]](repeating: [Complex<Double>](repeating: .zero, count: m), count: symbols)
        let perSample = 1 / Double(m * symbols)
        for t in taps {
            let k = kernel(offset: t.tap.pathLength - pathLength, pilots: n.pilots, unambiguous: n.unambiguousPathLength)
            let power = t.tap.snr * perSample * k.lengthSquared
            guard power >= 1e-6 else { continue }
            let gain = k.multiplied(by: (t.tap.snr * perSample).squareRoot()) * (Complex(length: 1, phase: t.tap.phase))
            let doppler = -t.tap.rate / n.wavelength
            let symbolStep = Complex(length: 1, phase: 2 * .pi * doppler * n.symbolDuration)
            let elementStep = Complex(length: 1, phase: t.angle)
            var a = gain
            for s in 0..<symbols {
                var b = a
                for e in 0..<m {
                    x[s][e] = x[s][e] + b
                    b = b * elementStep
                }
                a = a * symbolStep
            }
        }
        let sigma = 0.5.squareRoot()
        for s in 0..<symbols {
            for e in 0..<m { x[s][e] = x[s][e] + Complex(rng.gaussian() * sigma, rng.gaussian() * sigma) }
        }
        return x
    }

    /// What MUSIC found along an axis.
    public struct Result: Sendable, Equatable {
        /// The angle of the strongest source (see the type's description), rad.
        public var angle: Double
        /// All K refined source angles, ascending.
        public var angles: [Double]
        /// Model order used.
        public var sources: Int
    }

    /// MUSIC on an axis's snapshots (each of m elements). `periodic`: ψ wraps over [−π, π)
    /// (azimuth); otherwise ψ ∈ `lower…upper` (elevation). `sources` nil: MDL (see above).
    /// Nil when the snapshots cannot be decomposed (fewer than 2 elements, non-finite values).
    public static func estimate(
        snapshots: [[Complex<Double>]], periodic: Bool, lower: Double = -.pi, upper: Double = .pi, sources: Int? = nil
    ) -> Result? {
        guard let m = snapshots.first?.count, m >= 2 else { return nil }
        let b = snapshots.count
        let r = ComplexMatrix.sampleCovariance(snapshots)
        // Forward–backward average: (R + J·R*·J)/2.
        var fb = ComplexMatrix(rows: m, columns: m)
        for c in 0..<m {
            for i in 0..<m { fb[i, c] = (r[i, c] + r[m - 1 - i, m - 1 - c].conjugate).multiplied(by: 0.5) }
        }
        guard let (values, vectors) = try? fb.hermitianEigen() else { return nil }
        let order = sources ?? (2 * b > m ? MUSIC.mdlOrder(eigenvalues: values, snapshots: 2 * b) : 1)
        let k = Swift.min(Swift.max(order, 1), m - 1)
        let signal = (0..<k).map { vectors.column(m - 1 - $0) }  // principal first
        /// |e_kᴴ a(ψ)|² for each signal vector, summed (all) or the principal alone.
        func projection(_ psi: Double, principalOnly: Bool) -> Double {
            let step = Complex(length: 1, phase: psi)
            var total = 0.0
            for (index, e) in signal.enumerated() where !principalOnly || index == 0 {
                var a = Complex<Double>(1, 0)
                var dot = Complex<Double>.zero
                for n in 0..<m {
                    dot = dot + e[n].conjugate * a
                    a = a * step
                }
                total += dot.lengthSquared
            }
            return total
        }
        let cost = { (psi: Double) in Swift.max(Double(m) - projection(psi, principalOnly: false), 1e-300) }
        let g = 8 * m
        var grid: [Double] = []
        if periodic {
            let step = 2 * Double.pi / Double(g)
            for i in 0..<g { grid.append(-Double.pi + step * Double(i)) }
        } else {
            let step = (upper - lower) / Double(g)
            for i in 0...g { grid.append(lower + step * Double(i)) }
        }
        let spectrum = grid.map { 1 / cost($0) }
        let count = grid.count
        var peaks: [Int] = []
        for i in 0..<count {
            let left = i > 0 ? spectrum[i - 1] : (periodic ? spectrum[count - 1] : -.infinity)
            let right = i + 1 < count ? spectrum[i + 1] : (periodic ? spectrum[0] : -.infinity)
            if spectrum[i] > left && spectrum[i] >= right { peaks.append(i) }
        }
        guard !peaks.isEmpty else { return nil }
        peaks.sort { spectrum[$0] != spectrum[$1] ? spectrum[$0] > spectrum[$1] : $0 < $1 }
        let step = grid[1] - grid[0]
        let refined: [Double] = peaks.prefix(k).map { i in
            let lo = periodic ? grid[i] - step : grid[Swift.max(i - 1, 0)]
            let hi = periodic ? grid[i] + step : grid[Swift.min(i + 1, count - 1)]
            let psi = goldenSectionMinimum(lower: lo, upper: hi, cost: cost)
            return periodic ? wrapAngle(psi) : psi
        }
        // The strongest source: the principal eigenvector's beam maximum on the grid.
        var beamPeak = grid[0]
        var best = -Double.infinity
        for psi in grid {
            let v = projection(psi, principalOnly: true)
            if v > best { (best, beamPeak) = (v, psi) }
        }
        func distance(_ a: Double) -> Double { periodic ? abs(wrapAngle(a - beamPeak)) : abs(a - beamPeak) }
        let chosen = refined.min { distance($0) < distance($1) } ?? refined[0]
        guard chosen.isFinite else { return nil }
        return Result(angle: chosen, angles: refined.sorted(), sources: k)
    }
}
