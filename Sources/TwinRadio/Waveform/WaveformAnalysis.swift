import RealModule

/// Matching of detected peaks to the true taps, for truth labels.
public enum WaveformMatching {
    /// For each peak, the index of the tap it is matched to, or nil (a false alarm).
    ///
    /// Peaks are taken strongest first; each takes the nearest not yet matched tap whose path
    /// length is within `radius` (wrapped distance modulo `unambiguous`, since delays alias).
    public static func match(peaks: [WaveformPeak], taps: [Double], unambiguous: Double, radius: Double) -> [Int?] {
        var result = [Int?](repeating: nil, count: peaks.count)
        var used = [Bool](repeating: false, count: taps.count)
        let order = peaks.indices.sorted { peaks[$0].snr > peaks[$1].snr || (peaks[$0].snr == peaks[$1].snr && $0 < $1) }
        for p in order {
            var best: Int?
            var bestDistance = radius
            for (t, length) in taps.enumerated() where !used[t] {
                let d = wrappedDistance(peaks[p].pathLength, length, period: unambiguous)
                if d <= bestDistance {
                    bestDistance = d
                    best = t
                }
            }
            if let best {
                used[best] = true
                result[p] = best
            }
        }
        return result
    }

    /// |a − b| modulo `period`, in [0, period/2].
    public static func wrappedDistance(_ a: Double, _ b: Double, period: Double) -> Double {
        var d = (a - b).truncatingRemainder(dividingBy: period)
        if d < 0 { d += period }
        return min(d, period - d)
    }
}

/// Phase I of networked sensing: the sensing timing offset (STO) of a bistatic BS pair from
/// its Type I (direct) peak.
///
/// The direct path's true length is the known baseline |p_i − p_j|; the receiver measures it
/// plus c·δ (δ the pair's clock offset). Rule (the one `OffsetCalibration` applies to
/// measurements): the Type I peak is the *earliest* peak within `maxOffset` (path length, m) of
/// the baseline whose SNR is at least `minimumSNR`; δ = (L̂_direct − baseline) / c. Lengths
/// are compared modulo the unambiguous path length.
public enum WaveformSTO {
    /// The STO estimate: offset δ in seconds, its path length c·δ, and the index of the peak taken
    /// as Type I; nil when no peak qualifies.
    public static func estimate(
        peaks: [WaveformPeak], baseline: Double, unambiguous: Double, maxOffset: Double, minimumSNR: Double = 10
    ) -> (seconds: Double, meters: Double, peak: Int)? {
        var best: (offset: Double, index: Int)?
        for (i, p) in peaks.enumerated() where p.snr >= minimumSNR {
            var offset = (p.pathLength - baseline).truncatingRemainder(dividingBy: unambiguous)
            if offset < -unambiguous / 2 { offset += unambiguous } else if offset >= unambiguous / 2 { offset -= unambiguous }
            guard abs(offset) <= maxOffset else { continue }
            if best == nil || offset < best!.offset { best = (offset, i) }
        }
        guard let best else { return nil }
        return (best.offset / PhysicalConstants.speedOfLight, best.offset, best.index)
    }

    /// The pair's other peaks with the offset removed (path lengths minus c·δ, not wrapped).
    public static func apply(offsetMeters: Double, to peaks: [WaveformPeak], excluding direct: Int?) -> [WaveformPeak] {
        peaks.enumerated().compactMap { i, p in
            guard i != direct else { return nil }
            var q = p
            q.pathLength -= offsetMeters
            return q
        }
    }
}

/// Multi-band fusion of one path seen by a base station on two bands (e.g. 5.9 GHz / 30 kHz
/// and 24 GHz / 120 kHz): inverse-variance weighting of path length and rate, each band's
/// variance its Cramér–Rao bound at its estimated SNR. Unbiased and minimum-variance among
/// linear combinations when the variances are right; never worse than the better band by
/// more than the variances' error.
public enum MultiBandFusion {
    public struct Estimate: Sendable, Equatable {
        public var pathLength: Double
        public var pathLengthVariance: Double
        public var rate: Double
        public var rateVariance: Double

        public init(pathLength: Double, pathLengthVariance: Double, rate: Double, rateVariance: Double) {
            (self.pathLength, self.pathLengthVariance, self.rate, self.rateVariance) = (pathLength, pathLengthVariance, rate, rateVariance)
        }
    }

    /// Inverse-variance fusion of independent estimates of the same path.
    public static func fuse(_ estimates: [Estimate]) -> Estimate? {
        guard !estimates.isEmpty else { return nil }
        func combine(_ values: [(Double, Double)]) -> (Double, Double) {
            let usable = values.filter { $0.1 > 0 && $0.1.isFinite }
            guard !usable.isEmpty else { return (values[0].0, .infinity) }
            let info = usable.reduce(0) { $0 + 1 / $1.1 }
            return (usable.reduce(0) { $0 + $1.0 / $1.1 } / info, 1 / info)
        }
        let (l, lv) = combine(estimates.map { ($0.pathLength, $0.pathLengthVariance) })
        let (r, rv) = combine(estimates.map { ($0.rate, $0.rateVariance) })
        return Estimate(pathLength: l, pathLengthVariance: lv, rate: r, rateVariance: rv)
    }

    /// A band's estimate of a peak, with variances from the Cramér–Rao bounds (the abstract
    /// fidelity's) at the peak's estimated SNR.
    public static func estimate(_ peak: WaveformPeak, numerology: OFDMNumerology) -> Estimate {
        Estimate(
            pathLength: peak.pathLength,
            pathLengthVariance: CramerRao.pathLengthVariance(bandwidth: numerology.bandwidth, snr: peak.snr),
            rate: peak.rate,
            rateVariance: CramerRao.rangeRateVariance(
                wavelength: numerology.wavelength, symbolDuration: numerology.symbolDuration, symbols: numerology.symbols,
                snr: peak.snr))
    }
}
