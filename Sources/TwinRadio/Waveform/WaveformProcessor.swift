import ComplexModule
import RealModule
import TwinMath
import TwinWorld

/// Waveform fidelity of one numerology: synthesises a link's channel-estimate grid and turns
/// it into detections through a range–Doppler map, CA-CFAR and peak refinement.
///
/// **Synthesis** (`clear`, `add`, `addNoise`). The grid is the least-squares channel estimate
/// at the pilots, H[k, m] = Y[k, m] / X[k, m] with known unit-modulus pilots X, i.e.
///
///     H[k, m] = Σ_p a_p · e^{−j2π k·comb·Δf·τ_p} · e^{j2π f_D,p · m·T_sym} + N[k, m],
///
/// k = 0 … pilots−1, m = 0 … symbols−1, N circular complex normal of variance 1 per RE (with
/// |X| = 1 dividing by X leaves the noise's statistics unchanged, so the grid is synthesised
/// directly). |a_p|² = SNR_p / (pilots · symbols), so that after coherent integration over
/// the whole grid each tap has its link-budget post-integration SNR (docs/domain.md §4). Phases
/// advance by recurrences (one complex multiplication per pilot), not one exp per element.
/// Not modelled: inter-carrier interference from Doppler within a symbol, range migration
/// within the frame (both negligible at the speeds simulated), delays beyond the cyclic prefix.
///
/// **Processing** (`process`). The grid, windowed across subcarriers (`WaveformSpec.window`),
/// is zero-padded to `delayBins` (power of two ≥ zeroPadding × pilots) and transformed by a
/// batched inverse FFT over subcarriers (one per symbol: the delay profiles) and a batched FFT
/// over symbols (padded to `dopplerBins`, the next power of two): the range–Doppler map. FFTW
/// plans come from `FFTBatchPlanCache` (created once per shape, under the planner lock); the
/// buffers belong to this object and are reused frame after frame (no allocation per link).
///
/// Detection: smallest-of cell-averaging CFAR (SOCA) along delay in each Doppler row,
/// `cfarGuard` and `cfarTraining` resolution cells on each side (cyclic): the level is the
/// smaller of the two sides' means, so a strong path (the direct path is often 40–60 dB above
/// the echoes) on one side does not mask a target next to it. The threshold factor is the exact
/// SOCA law for n = cfarTraining / ENBW independent exponential cells per side (ENBW of the
/// window in bins: 1.5 Hann, 1 none) at the design `cfarPfa`; the map's cells are oversampled,
/// which n accounts for only approximately (the false-alarm test measures the rate). A detection is a cell above its threshold that is a local
/// maximum of the map (delay and Doppler neighbours); detections are taken strongest first and
/// a weaker one is dropped as a sidelobe when it lies below a stronger one's sidelobe envelope
/// (window kernel in delay × rectangular kernel in Doppler, sampled at quarter bins) plus
/// `sidelobeMarginDb`.
///
/// Refinement, strongest peak first, each refined tap subtracted from the grid before the next
/// (so a strong path's sidelobes do not bias the weaker ones; `process` consumes the grid):
/// the Doppler frequency by Newton iterations on the periodogram of the peak's
/// delay-bin samples across symbols (started from parabolic interpolation), then the delay by
/// Newton iterations on |Σ_k w_k z_k e^{j2πkx/N}|², z_k the Doppler-compensated sum over
/// symbols, and a polish with rectangular weights (w_k = 1) from there — the maximum-
/// likelihood delay of one isolated tap, which the window's taper would cost ≈ 2.3× in
/// variance (kept only if it stays within half a bin of the windowed estimate).
/// Then the Doppler again, on the samples at the refined delay (rectangular weights across the
/// pilots). The amplitude is S/(pilots·symbols) and the SNR estimate |S|²/σ_S² − 1, S the 2-D
/// matched sum at the refined delay and Doppler and σ_S² its noise variance, from the map's
/// noise level (median of the cell powers / ln 2).
public final class WaveformProcessor: @unchecked Sendable {
    public let numerology: OFDMNumerology
    public let settings: WaveformSpec
    /// Delay transform length (map bins along delay) and Doppler transform length.
    public let delayBins: Int
    public let dopplerBins: Int
    /// Map bins per resolution cell (delayBins / pilots).
    public let oversampling: Double
    /// CA-CFAR threshold factor α and the independent training cells N it assumes.
    public let cfarFactor: Double
    public let cfarIndependentCells: Double
    public let guardCells: Int
    public let trainingCells: Int

    /// Exceedances of the CFAR threshold in the last `process` (every cell, not only peaks).
    public private(set) var lastExceedances = 0
    /// Noise power per map cell estimated in the last `process`.
    public private(set) var lastNoiseLevel = 0.0
    /// Map cells (delayBins × dopplerBins).
    public var cells: Int { delayBins * dopplerBins }

    private let pilots: Int
    private let symbols: Int
    private let window: [Double]
    private let windowSum: Double
    private let windowSquares: Double
    private let delayEnvelope: [Double]
    private let dopplerEnvelope: [Double]
    private let marginFactor: Double
    private let delayMainLobe: Double
    private let dopplerMainLobe: Double
    private let rawRe: UnsafeMutablePointer<Double>
    private let rawIm: UnsafeMutablePointer<Double>
    private let grid: FFTAlignedBuffer
    private let profiles: FFTAlignedBuffer
    private let map: FFTAlignedBuffer
    private let delayPlan: FFTBatchPlan
    private let dopplerPlan: FFTBatchPlan
    // Scratch as raw pointers (allocated once): arrays in a class cost an exclusivity check
    // per access in these loops.
    private let power: UnsafeMutablePointer<Double>
    private let tapRe: UnsafeMutablePointer<Double>
    private let tapIm: UnsafeMutablePointer<Double>
    private let zRe: UnsafeMutablePointer<Double>
    private let zIm: UnsafeMutablePointer<Double>
    private let prefix: UnsafeMutablePointer<Double>
    private let noiseSample: UnsafeMutablePointer<Double>
    private let windowPointer: UnsafeMutablePointer<Double>
    private let slowRe: UnsafeMutablePointer<Double>
    private let slowIm: UnsafeMutablePointer<Double>
    private var candidates: [Candidate] = []
    private var accepted: [Candidate] = []

    private struct Candidate {
        var q: Int
        var n: Int
        var power: Double
        var level: Double
    }

    public init(numerology: OFDMNumerology, settings: WaveformSpec) {
        precondition(settings.comb == numerology.comb, "the numerology's comb must be the settings' comb")
        self.numerology = numerology
        self.settings = settings
        let pilots = numerology.pilots, symbols = numerology.symbols
        self.pilots = pilots
        self.symbols = symbols
        var n = 1
        while n < settings.zeroPadding * pilots { n *= 2 }
        delayBins = n
        var d = 1
        while d < symbols { d *= 2 }
        dopplerBins = d
        let oversampling = Double(n) / Double(pilots)
        self.oversampling = oversampling

        let w: [Double]
        switch settings.window {
        case .hann:
            w = (0..<pilots).map { 0.5 - 0.5 * Double.cos(2 * Double.pi * (Double($0) + 0.5) / Double(pilots)) }
        case .none: w = [Double](repeating: 1, count: pilots)
        }
        window = w
        windowSum = w.reduce(0, +)
        windowSquares = w.reduce(0) { $0 + $1 * $1 }
        let enbw = Double(pilots) * windowSquares / (windowSum * windowSum)
        guardCells = Int((Double(settings.cfarGuard) * oversampling).rounded(.up))
        trainingCells = max(1, Int((Double(settings.cfarTraining) * oversampling).rounded()))
        let independent = max(1, (Double(settings.cfarTraining) / enbw).rounded())
        cfarIndependentCells = independent
        cfarFactor = independent * Self.smallestOfFactor(pfa: settings.cfarPfa, cells: Int(independent))
        marginFactor = Double.pow(10, settings.sidelobeMarginDb / 10)
        // Inside both main lobes (first null: 1 resolution cell rectangular, 2 Hann; in Doppler
        // dopplerBins/symbols bins) two taps are told apart by the local-maximum test alone.
        delayMainLobe = (settings.window == .hann ? 2 : 1) * oversampling
        dopplerMainLobe = Double(d) / Double(symbols)
        delayEnvelope = Self.envelope(weights: w, length: n)
        dopplerEnvelope = Self.envelope(weights: [Double](repeating: 1, count: symbols), length: d)

        rawRe = .allocate(capacity: pilots * symbols)
        rawIm = .allocate(capacity: pilots * symbols)
        rawRe.initialize(repeating: 0, count: pilots * symbols)
        rawIm.initialize(repeating: 0, count: pilots * symbols)
        grid = FFTAlignedBuffer(count: delayBins * dopplerBins)
        profiles = FFTAlignedBuffer(count: delayBins * dopplerBins)
        map = FFTAlignedBuffer(count: delayBins * dopplerBins)
        delayPlan = FFTBatchPlanCache.shared.plan(
            .init(length: delayBins, howMany: symbols, stride: 1, distance: delayBins, direction: .backward))
        dopplerPlan = FFTBatchPlanCache.shared.plan(
            .init(length: dopplerBins, howMany: delayBins, stride: delayBins, distance: 1, direction: .forward))
        func scratch(_ count: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        power = scratch(n * d)
        tapRe = scratch(pilots)
        tapIm = scratch(pilots)
        zRe = scratch(pilots)
        zIm = scratch(pilots)
        prefix = scratch(n + 2 * (guardCells + trainingCells) + 1)
        noiseSample = scratch(n * d / Self.noiseStride + 1)
        windowPointer = scratch(pilots)
        slowRe = scratch(symbols)
        slowIm = scratch(symbols)
        windowPointer.update(from: w, count: pilots)
    }

    deinit {
        for p in [rawRe, rawIm, power, tapRe, tapIm, zRe, zIm, prefix, noiseSample, windowPointer, slowRe, slowIm] { p.deallocate() }
    }

    /// Every `noiseStride`-th map cell enters the noise-level median.
    static let noiseStride = 7

    /// Smallest-of CA-CFAR (Gandhi & Kassam 1988): with Z the smaller of two sums of n
    /// independent exponential cells of mean μ, a noise cell exceeds T·Z with probability
    /// Pfa(T) = 2 (2 + T)^(−n) Σ_{k<n} C(n−1+k, k) (2 + T)^(−k); the T giving `pfa`, by bisection.
    static func smallestOfFactor(pfa: Double, cells n: Int) -> Double {
        func falseAlarm(_ t: Double) -> Double {
            var sum = 0.0, term = 1.0  // C(n−1+k, k) (2+T)^(−k)
            for k in 0..<n {
                if k > 0 { term *= Double(n - 1 + k) / Double(k) / (2 + t) }
                sum += term
            }
            return 2 * Double.pow(2 + t, -Double(n)) * sum
        }
        var (lo, hi) = (0.0, 1.0)
        while falseAlarm(hi) > pfa { hi *= 2 }
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if falseAlarm(mid) > pfa { lo = mid } else { hi = mid }
        }
        return hi
    }

    /// Sidelobe envelope of a kernel Σ w_k e^{j2πkν/length}: E[d] = max over |ν| ≥ d − 1 of
    /// |W(ν)|²/|W(0)|² (ν in bins, sampled every quarter bin), d = 0 … length/2.
    static func envelope(weights: [Double], length: Int) -> [Double] {
        let fine = 4 * length
        var x = [Complex<Double>](repeating: .zero, count: fine)
        for (k, w) in weights.enumerated() { x[k] = Complex(w, 0) }
        let spectrum = FFT.backward(x)
        let peak = spectrum[0].lengthSquared
        // Power at ν = j/4, j = 0 … 2·length (symmetric in ν for real weights).
        let half = fine / 2
        var suffixMax = [Double](repeating: 0, count: half + 2)
        for j in stride(from: half, through: 0, by: -1) {
            suffixMax[j] = max(suffixMax[j + 1], spectrum[j].lengthSquared / peak)
        }
        return (0...(length / 2)).map { d in d <= 1 ? 1 : suffixMax[min(half, 4 * (d - 1))] }
    }

    // MARK: - Synthesis

    /// Sets the grid to zero.
    public func clear() {
        rawRe.update(repeating: 0, count: pilots * symbols)
        rawIm.update(repeating: 0, count: pilots * symbols)
    }

    /// Adds one tap to the grid.
    public func add(_ tap: WaveformTap) {
        guard tap.snr > 0, tap.snr.isFinite, tap.pathLength.isFinite, tap.rate.isFinite else { return }
        let amplitude = (tap.snr / Double(pilots * symbols)).squareRoot()
        // Phase step per pilot −2π·comb·Δf·τ = −2π·(L / L_unambiguous), reduced mod 1 first.
        var cycles = tap.pathLength / numerology.unambiguousPathLength
        cycles -= cycles.rounded(.down)
        let theta = -2 * Double.pi * cycles
        let (cr, ci) = (Double.cos(theta), Double.sin(theta))
        var (ur, ui) = (1.0, 0.0)
        for k in 0..<pilots {
            tapRe[k] = ur
            tapIm[k] = ui
            (ur, ui) = (ur * cr - ui * ci, ur * ci + ui * cr)
        }
        let psi = 2 * Double.pi * (-tap.rate / numerology.wavelength) * numerology.symbolDuration
        do {
            let tr = tapRe
            do {
                let ti = tapIm
                for m in 0..<symbols {
                    let phase = tap.phase + Double(m) * psi
                    let br = amplitude * Double.cos(phase), bi = amplitude * Double.sin(phase)
                    let re = rawRe + m * pilots, im = rawIm + m * pilots
                    for k in 0..<pilots {
                        re[k] += br * tr[k] - bi * ti[k]
                        im[k] += br * ti[k] + bi * tr[k]
                    }
                }
            }
        }
    }

    /// Adds circular complex normal noise of variance 1 per resource element.
    public func addNoise(rng: inout SeededRandom) {
        let s = 0.5.squareRoot()
        for i in 0..<(pilots * symbols) {
            rawRe[i] += s * rng.gaussian()
            rawIm[i] += s * rng.gaussian()
        }
    }

    /// Clears the grid, adds `taps` (with their phases) and noise.
    public func synthesize(_ taps: [WaveformTap], rng: inout SeededRandom) {
        clear()
        for t in taps { add(t) }
        addNoise(rng: &rng)
    }

    // MARK: - Processing

    /// Range–Doppler map, CA-CFAR, sidelobe rejection and refinement of at most `maxPeaks`
    /// peaks (strongest first).
    public func process(maxPeaks: Int = 64) -> [WaveformPeak] {
        transform()
        lastNoiseLevel = noiseLevel()
        detect()
        accepted.removeAll(keepingCapacity: true)
        candidates.sort { $0.power > $1.power || ($0.power == $1.power && ($0.n, $0.q) < ($1.n, $1.q)) }
        for c in candidates where accepted.count < maxPeaks {
            var masked = false
            for a in accepted {
                let dn = cyclicDistance(c.n, a.n, delayBins), dq = cyclicDistance(c.q, a.q, dopplerBins)
                if Double(dn) < delayMainLobe && Double(dq) < dopplerMainLobe { continue }
                if c.power < a.power * delayEnvelope[dn] * dopplerEnvelope[dq] * marginFactor {
                    masked = true
                    break
                }
            }
            if !masked { accepted.append(c) }
        }
        // Strongest first; each refined peak's tap is subtracted from the grid before the next
        // (weaker) one is refined, so a strong direct path's sidelobes do not pull the echoes
        // next to it (detection used the map of the whole grid).
        var peaks: [WaveformPeak] = []
        peaks.reserveCapacity(accepted.count)
        for (i, c) in accepted.enumerated() {
            let (peak, x, nu, amplitude) = refine(c)
            peaks.append(peak)
            if i + 1 < accepted.count { subtract(x: x, nu: nu, amplitude: amplitude) }
        }
        return peaks
    }

    /// Removes a tap a·e^{−j2πkx/N}·e^{j2πνm} from the grid.
    private func subtract(x: Double, nu: Double, amplitude a: Complex<Double>) {
        let theta = -2 * Double.pi * x / Double(delayBins)
        let (cr, ci) = (Double.cos(theta), Double.sin(theta))
        var (ur, ui) = (1.0, 0.0)
        for k in 0..<pilots {
            tapRe[k] = ur
            tapIm[k] = ui
            (ur, ui) = (ur * cr - ui * ci, ur * ci + ui * cr)
        }
        do {
            let tr = tapRe
            do {
                let ti = tapIm
                for m in 0..<symbols {
                    let phase = 2 * Double.pi * nu * Double(m)
                    let (er, ei) = (Double.cos(phase), Double.sin(phase))
                    let br = a.real * er - a.imaginary * ei, bi = a.real * ei + a.imaginary * er
                    let re = rawRe + m * pilots, im = rawIm + m * pilots
                    for k in 0..<pilots {
                        re[k] -= br * tr[k] - bi * ti[k]
                        im[k] -= br * ti[k] + bi * tr[k]
                    }
                }
            }
        }
    }

    @inline(__always) private func cyclicDistance(_ a: Int, _ b: Int, _ n: Int) -> Int {
        let d = abs(a - b)
        return min(d, n - d)
    }

    private func transform() {
        let g = grid.pointer
        for m in 0..<symbols {
            let row = g + m * delayBins
            let re = rawRe + m * pilots, im = rawIm + m * pilots
            let window = windowPointer
            for k in 0..<pilots { row[k] = Complex(window[k] * re[k], window[k] * im[k]) }
        }
        delayPlan.execute(input: grid, output: profiles)
        dopplerPlan.execute(input: profiles, output: map)
        let mp = map.pointer
        let p = power
        for i in 0..<cells { p[i] = mp[i].lengthSquared }
    }

    /// Noise power per cell: median of every third cell's power / ln 2 (exponential cells; the
    /// few signal cells barely move a median).
    private func noiseLevel() -> Double {
        var count = 0
        for i in stride(from: 0, to: cells, by: Self.noiseStride) {
            noiseSample[count] = power[i]
            count += 1
        }
        let median = Self.select(noiseSample, count: count, rank: count / 2)
        return max(median / Double.log(2), .leastNormalMagnitude)
    }

    /// The `rank`-th smallest value (Hoare's quickselect with median-of-three pivots; reorders).
    static func select(_ a: UnsafeMutablePointer<Double>, count: Int, rank: Int) -> Double {
        func swapAt(_ i: Int, _ j: Int) { (a[i], a[j]) = (a[j], a[i]) }
        var lo = 0, hi = count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < a[lo] { swapAt(mid, lo) }
            if a[hi] < a[lo] { swapAt(hi, lo) }
            if a[hi] < a[mid] { swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j {
                    swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if rank <= j { hi = j } else if rank >= i { lo = i } else { return a[rank] }
        }
        return a[rank]
    }

    private func detect() {
        candidates.removeAll(keepingCapacity: true)
        var exceedances = 0
        let n = delayBins, g = guardCells, t = trainingCells, r = g + t
        let scale = cfarFactor / Double(t)
        do {
            let p = power
            do {
                let c = prefix
                for q in 0..<dopplerBins {
                    let row = p + q * n
                    // c[j] = Σ_{i<j} row[(i − r) mod n], for the cyclic window sums.
                    c[0] = 0
                    for j in 0..<(n + 2 * r) {
                        var i = j - r
                        if i < 0 { i += n } else if i >= n { i -= n }
                        c[j + 1] = c[j] + row[i]
                    }
                    let up = p + ((q + dopplerBins - 1) % dopplerBins) * n
                    let down = p + ((q + 1) % dopplerBins) * n
                    for x in 0..<n {
                        // Training cells x−g−t … x−g−1 and x+g+1 … x+g+t (indices shifted by r).
                        let sum = min(c[x + t] - c[x], c[x + 2 * r + 1] - c[x + 2 * r + 1 - t])
                        let v = row[x]
                        guard v > scale * sum else { continue }
                        exceedances += 1
                        let left = row[x == 0 ? n - 1 : x - 1], right = row[x == n - 1 ? 0 : x + 1]
                        if v > left && v >= right && (dopplerBins == 1 || (v > up[x] && v >= down[x])) {
                            candidates.append(Candidate(q: q, n: x, power: v, level: sum / Double(t)))
                        }
                    }
                }
            }
        }
        lastExceedances = exceedances
    }

    /// Offset of a parabola's vertex through (−1, a), (0, b), (1, c), clamped to ±0.5.
    @inline(__always) private static func vertex(_ a: Double, _ b: Double, _ c: Double) -> Double {
        let d = a - 2 * b + c
        guard d < 0 else { return 0 }
        return min(0.5, max(-0.5, 0.5 * (a - c) / d))
    }

    private func refine(_ c: Candidate) -> (WaveformPeak, x: Double, nu: Double, amplitude: Complex<Double>) {
        let n = delayBins
        // Doppler: periodogram of the delay-bin samples across symbols.
        let q0 = c.q
        let pm = power[((q0 + dopplerBins - 1) % dopplerBins) * n + c.n], pp = power[((q0 + 1) % dopplerBins) * n + c.n]
        var nu = (Double(q0) + (dopplerBins > 1 ? Self.vertex(pm, c.power, pp) : 0)) / Double(dopplerBins)
        if nu >= 0.5 { nu -= 1 }
        let pr = profiles.pointer
        for m in 0..<symbols {
            slowRe[m] = pr[m * n + c.n].real
            slowIm[m] = pr[m * n + c.n].imaginary
        }
        nu = dopplerNewton(from: nu).nu
        // Delay: Doppler-compensated sum over symbols z_k, then Newton on the windowed DTFT.
        do {
            let zr = zRe
            do {
                let zi = zIm
                for k in 0..<pilots {
                    zr[k] = 0
                    zi[k] = 0
                }
                for m in 0..<symbols {
                    let a = -2 * Double.pi * nu * Double(m)
                    let (er, ei) = (Double.cos(a), Double.sin(a))
                    let re = rawRe + m * pilots, im = rawIm + m * pilots
                    for k in 0..<pilots {
                        zr[k] += re[k] * er - im[k] * ei
                        zi[k] += re[k] * ei + im[k] * er
                    }
                }
            }
        }
        let row = c.q * n
        var x = Double(c.n) + Self.vertex(power[row + (c.n + n - 1) % n], c.power, power[row + (c.n + 1) % n])
        var value = dtft(x)
        for _ in 0..<4 {
            guard value.d2 < 0 else { break }
            let step = min(0.5, max(-0.5, -value.d1 / value.d2))
            x += step
            value = dtft(x)
            // Coarse is enough when the rectangular polish follows.
            if abs(step) < (settings.window == .none ? 1e-6 : 1e-3) { break }
        }
        var (sumW, sumW2) = (windowSum, windowSquares)
        if settings.window != .none {
            // Polish with the rectangular weights: the maximum-likelihood delay of an isolated
            // tap (stronger taps are already subtracted), started at the windowed estimate.
            let start = x
            var polished = dtft(x, rectangular: true)
            for _ in 0..<3 {
                guard polished.d2 < 0 else { break }
                let step = min(0.25, max(-0.25, -polished.d1 / polished.d2))
                x += step
                polished = dtft(x, rectangular: true)
                if abs(step) < 1e-6 { break }
            }
            if abs(x - start) < 0.5 {
                value = polished
                (sumW, sumW2) = (Double(pilots), Double(pilots))
            } else {
                x = start
            }
        }
        var cycles = x / Double(n)
        cycles -= cycles.rounded(.down)
        // Noise variance of Z: σ²·Σw²·symbols = map noise level · Σw² / Σ(window)².
        let rho = value.power / max(lastNoiseLevel * sumW2 / windowSquares, .leastNormalMagnitude)
        let snr = max(rho - 1, 1e-3) * Double(pilots) * sumW2 / (sumW * sumW)
        let peak = WaveformPeak(
            pathLength: cycles * numerology.unambiguousPathLength,
            rate: -numerology.wavelength * nu / numerology.symbolDuration,
            snr: snr, delayBin: c.n, dopplerBin: c.q, cfarRatio: c.power / max(c.level, .leastNormalMagnitude))
        // Complex amplitude: Z = a · symbols · Σw for one tap at the refined delay and Doppler.
        var amplitude = Complex(value.re, value.im).divided(by: Double(symbols) * sumW)
        var result = peak
        // Doppler again on the samples at the refined delay with rectangular weights across the
        // pilots (the integer-bin samples above lose up to ~1.4 dB to scalloping), and the
        // amplitude and SNR from the same two-dimensional matched sum.
        if symbols >= 2 {
            let theta = 2 * Double.pi * x / Double(n)
            let (cr, ci) = (Double.cos(theta), Double.sin(theta))
            var (ur, ui) = (1.0, 0.0)
            for k in 0..<pilots {
                tapRe[k] = ur
                tapIm[k] = ui
                (ur, ui) = (ur * cr - ui * ci, ur * ci + ui * cr)
            }
            let (tr, ti) = (tapRe, tapIm)
            for m in 0..<symbols {
                let re = rawRe + m * pilots, im = rawIm + m * pilots
                // Two interleaved accumulators: half the dependency chain of one.
                var (ar, ai, br, bi) = (0.0, 0.0, 0.0, 0.0)
                var k = 0
                while k + 1 < pilots {
                    ar += re[k] * tr[k] - im[k] * ti[k]
                    ai += re[k] * ti[k] + im[k] * tr[k]
                    br += re[k + 1] * tr[k + 1] - im[k + 1] * ti[k + 1]
                    bi += re[k + 1] * ti[k + 1] + im[k + 1] * tr[k + 1]
                    k += 2
                }
                if k < pilots {
                    ar += re[k] * tr[k] - im[k] * ti[k]
                    ai += re[k] * ti[k] + im[k] * tr[k]
                }
                slowRe[m] = ar + br
                slowIm[m] = ai + bi
            }
            let (refined, sum) = dopplerNewton(from: nu)
            nu = refined
            amplitude = sum.divided(by: Double(symbols * pilots))
            // Noise variance of the sum: σ²·pilots·symbols = map noise level · pilots / Σw².
            let rho2 = sum.lengthSquared / max(lastNoiseLevel * Double(pilots) / windowSquares, .leastNormalMagnitude)
            result.snr = max(rho2 - 1, 1e-3)
            result.rate = -numerology.wavelength * nu / numerology.symbolDuration
        }
        return (result, x, nu, amplitude)
    }

    /// Newton iterations on the periodogram |S(ν)|², S(ν) = Σ_m s_m e^{−j2πνm}, of the samples
    /// in `slowRe`/`slowIm`, from `start` (cycles per symbol, in [−0.5, 0.5)); S at the result.
    private func dopplerNewton(from start: Double) -> (nu: Double, sum: Complex<Double>) {
        var nu = start
        var sum = Complex<Double>.zero
        var converged = false
        for iteration in 0..<6 {
            var (s0r, s0i, s1r, s1i, s2r, s2i) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            for m in 0..<symbols {
                let a = -2 * Double.pi * nu * Double(m)
                let (er, ei) = (Double.cos(a), Double.sin(a))
                let (tr, ti) = (slowRe[m] * er - slowIm[m] * ei, slowRe[m] * ei + slowIm[m] * er)
                let w = -2 * Double.pi * Double(m)
                // S' = Σ (−j2πm) s e, S'' = Σ −(2πm)² s e.
                s0r += tr
                s0i += ti
                s1r += -w * ti
                s1i += w * tr
                s2r -= w * w * tr
                s2i -= w * w * ti
            }
            sum = Complex(s0r, s0i)
            guard symbols >= 2, iteration < 5, !converged else { break }
            let f1 = 2 * (s0r * s1r + s0i * s1i)
            let f2 = 2 * (s1r * s1r + s1i * s1i + s0r * s2r + s0i * s2i)
            guard f2 < 0 else { break }
            let step = min(0.5 / Double(dopplerBins), max(-0.5 / Double(dopplerBins), -f1 / f2))
            nu += step
            converged = abs(step) < 1e-7  // then one more pass for S at the final ν
        }
        return (nu, sum)
    }

    /// |Z(x)|² and its first two derivatives, Z(x) = Σ_k w_k z_k e^{j2πkx/N}.
    private func dtft(_ x: Double, rectangular: Bool = false) -> (power: Double, d1: Double, d2: Double, re: Double, im: Double) {
        let theta = 2 * Double.pi * x / Double(delayBins)
        // Two phase recurrences (even and odd k, step 2θ): half the dependency chain of one.
        let (c1r, c1i) = (Double.cos(theta), Double.sin(theta))
        let (cr, ci) = (Double.cos(2 * theta), Double.sin(2 * theta))
        var (er, ei) = (1.0, 0.0)
        var (or, oi) = (c1r, c1i)
        var (s0r, s0i, s1r, s1i, s2r, s2i) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        var (t0r, t0i, t1r, t1i, t2r, t2i) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        let scale = 2 * Double.pi / Double(delayBins)
        let window = windowPointer
        let zr = zRe, zi = zIm
        var k = 0
        while k < pilots {
            let w = rectangular ? 1 : window[k]
            let tr = w * (zr[k] * er - zi[k] * ei), ti = w * (zr[k] * ei + zi[k] * er)
            let f = scale * Double(k)
            s0r += tr
            s0i += ti
            s1r -= f * ti
            s1i += f * tr
            s2r -= f * f * tr
            s2i -= f * f * ti
            (er, ei) = (er * cr - ei * ci, er * ci + ei * cr)
            if k + 1 < pilots {
                let v = rectangular ? 1 : window[k + 1]
                let ur = v * (zr[k + 1] * or - zi[k + 1] * oi), ui = v * (zr[k + 1] * oi + zi[k + 1] * or)
                let g = scale * Double(k + 1)
                t0r += ur
                t0i += ui
                t1r -= g * ui
                t1i += g * ur
                t2r -= g * g * ur
                t2i -= g * g * ui
                (or, oi) = (or * cr - oi * ci, or * ci + oi * cr)
            }
            k += 2
        }
        (s0r, s0i, s1r, s1i, s2r, s2i) = (s0r + t0r, s0i + t0i, s1r + t1r, s1i + t1i, s2r + t2r, s2i + t2i)
        // Noise per map cell: the DTFT's noise variance equals it (same weights, same sums).
        let p = s0r * s0r + s0i * s0i
        return (p, 2 * (s0r * s1r + s0i * s1i), 2 * (s1r * s1r + s1i * s1i + s0r * s2r + s0i * s2i), s0r, s0i)
    }
}
