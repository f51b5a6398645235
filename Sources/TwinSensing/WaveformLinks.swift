import RealModule
import TwinMath
import TwinRadio
import TwinWorld

/// A true path of a waveform-fidelity link, collected by `SensingEngine.emit` instead of being
/// drawn: it becomes a tap of the synthesised frame.
struct WaveformPath {
    /// Its truth; `trueRange` is the raw path length including c × the link's clock offset.
    var truth: MeasurementTruth
    var snrDb: Double
    var arrival: Direction
    var departure: Direction?
    /// Geometric rate of the path length, m/s (the receiver clock's drift is added as a tap).
    var rate: Double
}

/// Waveform fidelity inside the sensing engine (DOMAIN.md §6; worlds/README.md
/// `sensing.fidelity`, `sensing.waveform`).
///
/// Per waveform link and frame, `SensingEngine.emit` collects the link's true paths (direct
/// Type I, target Type II, NLOS Type III, background; down to `synthesisFloorDb` below the
/// detection threshold, since CFAR, not the threshold, decides) into `paths`; `process` then
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
/// ghosts, P_FA 0.53 instead of 0.03); angles are drawn as in abstract fidelity around the matched tap's truth
/// (array processing of angles is MUSIC's, another capability) — random for false alarms.
///
/// Ranges keep the clock offset (as in abstract fidelity) so that the fusion centre's
/// `OffsetCalibration` applies unchanged. A peak's path length is known modulo the unambiguous
/// length L_u = c/(comb·Δf); it is reported in [−s/2, 2·maxRange + s/2), s = L_u − 2·maxRange
/// (the slack left by validation), so small negative offsets stay negative.
///
/// Draws (phases, noise, angles) come from the link's own substream, so runs are reproducible.
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

    /// Nil when no link uses waveform fidelity.
    static func make(spec: SensingSpec, links: [SensingLink], baseStations: [BaseStationSpec]) -> WaveformLinks? {
        let waveformLinks = links.filter { spec.fidelity.fidelity(linkClass: $0.kind.rawValue) == .waveform }
        guard !waveformLinks.isEmpty else { return nil }
        return WaveformLinks(spec: spec, links: links, baseStations: baseStations)
    }

    private init(spec: SensingSpec, links: [SensingLink], baseStations: [BaseStationSpec]) {
        var numerologies: [OFDMNumerology] = []
        var index: [Int] = []
        for link in links {
            guard spec.fidelity.fidelity(linkClass: link.kind.rawValue) == .waveform,
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
        for path in paths {
            p.add(
                WaveformTap(
                    pathLength: path.truth.trueRange, rate: path.rate + offsetRate,
                    snr: Double.exp(path.snrDb * (Double.log(10) / 10)), phase: rng.uniform(0, 2 * .pi)))
            lengths.append(path.truth.trueRange)
        }
        p.addNoise(rng: &rng)
        let peaks = p.process()
        let n = p.numerology
        let matches = WaveformMatching.match(peaks: peaks, taps: lengths, unambiguous: n.unambiguousPathLength, radius: n.resolution)
        let slack = n.unambiguousPathLength - maxPath
        return peaks.indices.map { i in
            let l = peaks[i].pathLength
            return (peaks[i], l >= maxPath + slack / 2 ? l - n.unambiguousPathLength : l, matches[i])
        }
    }
}
