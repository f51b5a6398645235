import RealModule
import TwinMath
import TwinRadio
import TwinWorld

/// A true path of a waveform-fidelity link, collected by `WaveformMeasurement.observe`
/// instead of being drawn: it becomes a tap of the synthesised frame.
struct WaveformPath {
    /// Its truth; `trueRange` is the raw path length including c × the link's clock offset.
    var truth: MeasurementTruth
    var snrDb: Double
    var arrival: Direction
    var departure: Direction?
    /// Geometric rate of the path length, m/s (the receiver clock's drift is added as a tap).
    var rate: Double
}

/// Waveform fidelity, the measurement model `waveform` (docs/domain.md §6; worlds/README.md
/// `sensing.fidelity`, `sensing.waveform`).
///
/// Per waveform link and frame, `observe` collects the link's channel paths (direct Type I,
/// target Type II, NLOS Type III, background; down to `synthesisFloorDb` below the detection
/// threshold, since CFAR, not the threshold, decides); `end` hands them to `WaveformLinks`,
/// which synthesises and processes the frame, and reports each detected peak.
struct WaveformMeasurement: MeasurementModel {
    let layout: SensingLayout
    let links: WaveformLinks
    var name: String { SensingFidelity.waveform.rawValue }
    var measuresSecondBand: Bool { false }

    init(_ setup: MeasurementSetup) {
        layout = setup.layout
        links = WaveformLinks(spec: setup.spec, links: setup.layout.links, baseStations: setup.world.baseStations)
    }

    func begin(_ link: LinkContext) { links.paths.removeAll(keepingCapacity: true) }

    func observe(
        _ path: inout ChannelPath, on link: LinkContext, rng: inout SeededRandom, band2RNG: inout SeededRandom,
        into output: inout FrameOutput
    ) {
        let spec = layout.spec
        let admit = spec.detectionThresholdDb - spec.waveform.synthesisFloorDb
        guard admits(path, thresholdDb: admit, missProbability: spec.missProbability, rng: &rng) else { return }
        path.realiseScatter(rng: &rng)
        links.paths.append(
            WaveformPath(truth: path.truth, snrDb: path.snrDb, arrival: path.arrival, departure: path.departure, rate: path.rate))
    }

    /// CFAR detections instead of draws; its false alarms replace clutter. Each matched peak is
    /// reported with its measured path length and rate (and MUSIC angles of arrival with
    /// `angles: music`, not through a RIS panel); a false alarm with random angles.
    func end(_ link: LinkContext, rng: inout SeededRandom, band2RNG: inout SeededRandom, into output: inout FrameOutput) {
        let id = link.link.id
        let music = links.angles == .music && link.constants.ris == nil
        for (index, d) in links.process(link: id, offsetRate: link.offsetRate, rng: &rng).enumerated() {
            let measured = (range: d.pathLength, rate: d.peak.rate, floor: links.pathLengthVarianceFloor(link: id))
            let arrival =
                music ? links.measureArrival(link: id, peak: d.peak, index: index, elements: link.constants.rxElements, rng: &rng) : nil
            if let i = d.path {
                let p = links.paths[i]
                if p.truth.pathType == .target {
                    output.counts.detections += 1
                    output.statistics.recordSNR(p.snrDb)
                }
                var path = ChannelPath(truth: p.truth, snrDb: d.peak.snrDb, arrival: p.arrival, departure: p.departure, rate: p.rate)
                output.report(
                    &path, on: link, layout: layout, rng: &rng, band2RNG: &band2RNG, measured: measured, measuredArrival: arrival)
            } else {
                let direction =
                    arrival != nil
                    ? Direction(azimuth: 0, elevation: 0)
                    : Direction(azimuth: rng.uniform(-.pi, .pi), elevation: rng.uniform(-.pi / 6, .pi / 6))
                let departure = Direction(azimuth: rng.uniform(-.pi, .pi), elevation: rng.uniform(-.pi / 6, .pi / 6))
                var alarm = ChannelPath(
                    truth: MeasurementTruth(
                        pathType: .clutter, moverId: nil, reflector: nil, transmitter: link.link.transmitter, trueRange: d.pathLength),
                    snrDb: d.peak.snrDb, arrival: direction, departure: departure, rate: d.peak.rate)
                output.report(
                    &alarm, on: link, layout: layout, rng: &rng, band2RNG: &band2RNG, measured: measured, measuredArrival: arrival)
                output.counts.clutter += 1
            }
        }
    }
}

/// The signal processing of waveform fidelity (`WaveformMeasurement`).
///
/// Per waveform link and frame, `WaveformMeasurement` collects the link's paths into
/// `paths`; `process` then
/// synthesises the frame (each path a tap of its link-budget post-integration SNR, a uniform
/// carrier phase, and noise), runs the `WaveformProcessor` of the link's numerology, and
/// matches each detected peak to the nearest true tap within one resolution cell (strongest
/// peaks first; unmatched peaks are CFAR false alarms, labelled `.clutter`, and replace the
/// abstract fidelity's Poisson clutter on these links). The engine reports each peak's path
/// length and rate, with variances the abstract fidelity's Cramér–Rao bounds at the peak's
/// *estimated* SNR — the path length's plus (rangeErrorFloor × resolution)², since the bound
/// knows nothing of the neighbouring paths whose sidelobes and unresolved overlap dominate the
/// errors of strong echoes (factory.yaml trp-trp: median error 1 mm but p90 5 cm, half the
/// echoes beyond 3 bounds' σ; without the floor the localiser's χ² tests split targets into
/// ghosts, P_FA 0.53 instead of 0.03).
///
/// Angles of arrival (`sensing.waveform.angles`): with `music` (`measureArrival`) each peak's
/// azimuth and elevation come from MUSIC on the receive array's snapshots at the peak's path
/// length, synthesised from the true taps (TwinRadio `AxisMUSIC`: one snapshot per symbol after
/// the delay transform, undetected neighbouring taps blended through the pilots' Dirichlet
/// kernel — detected ones count as cancelled, as the processor subtracts them —, noise
/// giving each tap its link-budget SNR after integration over the axis and the symbols), one
/// axis at a time (horizontal elements: azimuth; vertical: elevation), with the variance the
/// exact bound 6/(SNR̂·(m² − 1)) at the peak's estimated SNR plus (angleErrorFloor·2π/m)² for
/// the unresolved neighbours the bound ignores (factory.yaml trp-trp: p90 error ≈ 0.01
/// Rayleigh widths, half the echoes beyond 3 bounds' σ) — false alarms included (their
/// angle is wherever the snapshots point). With `crlb`, and always for angles of departure and
/// on RIS links, angles are drawn as in abstract fidelity around the matched tap's truth —
/// uniformly for false alarms.
///
/// Ranges keep the clock offset (as in abstract fidelity) so that the fusion centre's
/// `OffsetCalibration` applies unchanged. A peak's path length is known modulo the unambiguous
/// length L_u = c/(comb·Δf); it is reported in [−s/2, 2·maxRange + s/2), s = L_u − 2·maxRange
/// (the slack left by validation), so small negative offsets stay negative.
///
/// Draws (phases, noise, angles) come from the link's own substream, so runs are reproducible.
/// With `music` each peak draws its snapshot noise (2·S·m per axis: azimuth axis first) where
/// `crlb` draws its two angles of arrival (a false alarm: instead of its uniform arrival); the
/// other draws keep their order.
/// The processors and buffers here are scratch, not state: they are rebuilt from the world and
/// not part of `SensingCheckpoint`. One engine must not observe from two threads at once
/// (copies of an engine share this scratch).
final class WaveformLinks: @unchecked Sendable {
    /// Processor of each link, or −1 for an abstract-fidelity link.
    private let linkProcessor: [Int]
    private let processors: [WaveformProcessor]
    private let maxPath: Double
    private let floorCells: Double
    /// This link's collected paths (reset per link).
    var paths: [WaveformPath] = []
    private var lengths: [Double] = []
    /// The taps of the last `process`, as synthesised (phases included), for `measureArrival`.
    private var taps: [WaveformTap] = []
    /// The peak of the last `process` each tap belongs to (matched, or within a resolution
    /// cell of it), −1 for none.
    private var owner: [Int] = []
    /// How angles of arrival are measured.
    let angles: WaveformAngles
    /// `angleErrorFloor`, Rayleigh widths.
    private let angleFloor: Double

    init(spec: SensingSpec, links: [SensingLink], baseStations: [BaseStationSpec]) {
        var numerologies: [OFDMNumerology] = []
        var index: [Int] = []
        for link in links {
            guard spec.fidelity.fidelity(linkClass: link.kind.rawValue) == SensingFidelity.waveform.rawValue,
                case .baseStation(let i) = link.transmitter
            else {
                index.append(-1)
                continue
            }
            let bs = baseStations[i]
            let n = OFDMNumerology(
                carrier: bs.carrierFrequency, bandwidth: bs.bandwidth, subcarrierSpacing: bs.subcarrierSpacing,
                comb: spec.waveform.comb, symbols: spec.symbolsPerFrame)
            if let k = numerologies.firstIndex(of: n) {
                index.append(k)
            } else {
                index.append(numerologies.count)
                numerologies.append(n)
            }
        }
        linkProcessor = index
        processors = numerologies.map { WaveformProcessor(numerology: $0, settings: spec.waveform) }
        maxPath = 2 * spec.maxRange
        floorCells = spec.waveform.rangeErrorFloor
        angles = spec.waveform.angles
        angleFloor = spec.waveform.angleErrorFloor
        paths.reserveCapacity(64)
    }

    /// Variance added to a waveform link's path-length variance, m²: (rangeErrorFloor ×
    /// resolution)², for the interference of neighbouring paths that the bound ignores.
    func pathLengthVarianceFloor(link: Int) -> Double {
        let r = floorCells * processors[linkProcessor[link]].numerology.resolution
        return r * r
    }

    /// Whether a link uses waveform fidelity.
    func isWaveform(_ link: Int) -> Bool { linkProcessor[link] >= 0 }

    /// Synthesises and processes the collected `paths` of `link`: each detected peak with its
    /// reported raw path length (offset included, unwrapped as described above) and the index
    /// of the path it matches (nil: a false alarm).
    func process(link: Int, offsetRate: Double, rng: inout SeededRandom) -> [(peak: WaveformPeak, pathLength: Double, path: Int?)] {
        let p = processors[linkProcessor[link]]
        p.clear()
        lengths.removeAll(keepingCapacity: true)
        taps.removeAll(keepingCapacity: true)
        for path in paths {
            let tap = WaveformTap(
                pathLength: path.truth.trueRange, rate: path.rate + offsetRate,
                snr: Double.exp(path.snrDb * (Double.log(10) / 10)), phase: rng.uniform(0, 2 * .pi))
            p.add(tap)
            taps.append(tap)
            lengths.append(path.truth.trueRange)
        }
        p.addNoise(rng: &rng)
        let peaks = p.process()
        let n = p.numerology
        let matches = WaveformMatching.match(peaks: peaks, taps: lengths, unambiguous: n.unambiguousPathLength, radius: n.resolution)
        // A tap a peak matched, or one within a resolution cell of a peak (unresolved from it),
        // is cancelled with that peak (`measureArrival`).
        owner = Array(repeating: -1, count: taps.count)
        for (i, match) in matches.enumerated() {
            if let t = match { owner[t] = i }
        }
        for t in taps.indices where owner[t] < 0 {
            for (i, peak) in peaks.enumerated() {
                let d = abs(peak.pathLength - lengths[t]).truncatingRemainder(dividingBy: n.unambiguousPathLength)
                if Swift.min(d, n.unambiguousPathLength - d) < n.resolution {
                    owner[t] = i
                    break
                }
            }
        }
        let slack = n.unambiguousPathLength - maxPath
        return peaks.indices.map { i in
            let l = peaks[i].pathLength
            return (peaks[i], l >= maxPath + slack / 2 ? l - n.unambiguousPathLength : l, matches[i])
        }
    }

    /// Azimuth and elevation of arrival of a peak of the last `process` by MUSIC (see the type's
    /// description): each axis of `elements` (horizontal, vertical) with at least 2 elements
    /// gives an angle and its variance 6/(SNR̂·(m² − 1)) + (angleErrorFloor·2π/m)², nil when
    /// MUSIC fails (never NaN).
    ///
    /// The snapshots of peak `index` (of the last `process`) hold its own taps — the matched one
    /// and those within a resolution cell, unresolved from it — and every tap that belongs to
    /// no peak (under sidelobes, below the threshold): the processor subtracts each refined
    /// peak from the grid (successive cancellation), leaving residuals of the order of the
    /// noise, so the other peaks' taps are taken as cancelled.
    func measureArrival(link: Int, peak: WaveformPeak, index: Int, elements: SIMD2<Int>, rng: inout SeededRandom)
        -> MeasuredArrival
    {
        let n = processors[linkProcessor[link]].numerology
        let snr = Double.exp(peak.snrDb * (Double.log(10) / 10))
        let kept = paths.indices.filter { owner[$0] == index || owner[$0] < 0 }
        func floorVariance(_ m: Int) -> Double {
            let s = angleFloor * 2 * .pi / Double(m)
            return s * s
        }
        var out = MeasuredArrival()
        if elements.x >= 2 {
            let axis = kept.map { ArrayTap(tap: taps[$0], angle: paths[$0].arrival.azimuth) }
            let x = AxisMUSIC.snapshots(taps: axis, pathLength: peak.pathLength, numerology: n, elements: elements.x, rng: &rng)
            if let r = AxisMUSIC.estimate(snapshots: x, periodic: true), r.angle.isFinite {
                out.azimuth = wrapAngle(r.angle)
                out.azimuthVariance = AxisMUSIC.bound(elements: elements.x, snr: snr) + floorVariance(elements.x)
            }
        }
        if elements.y >= 2 {
            let axis = kept.map { ArrayTap(tap: taps[$0], angle: paths[$0].arrival.elevation) }
            let x = AxisMUSIC.snapshots(taps: axis, pathLength: peak.pathLength, numerology: n, elements: elements.y, rng: &rng)
            if let r = AxisMUSIC.estimate(snapshots: x, periodic: false, lower: -.pi / 2, upper: .pi / 2), r.angle.isFinite {
                out.elevation = min(max(r.angle, -.pi / 2), .pi / 2)
                out.elevationVariance = AxisMUSIC.bound(elements: elements.y, snr: snr) + floorVariance(elements.y)
            }
        }
        if !(out.azimuthVariance?.isFinite ?? true) { (out.azimuth, out.azimuthVariance) = (nil, nil) }
        if !(out.elevationVariance?.isFinite ?? true) { (out.elevation, out.elevationVariance) = (nil, nil) }
        return out
    }
}

/// Angles of arrival measured by array processing (nil: that axis measured nothing).
struct MeasuredArrival {
    var azimuth: Double?
    var azimuthVariance: Double?
    var elevation: Double?
    var elevationVariance: Double?
}
