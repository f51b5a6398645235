import TwinMath
import TwinWorld

/// The detector's common front (both fidelities): a path below the admission threshold (in
/// both bands) is not seen, and a detectable echo of a target or background reflector is
/// missed anyway with `missProbability`.
@inline(__always)
func admits(_ path: borrowing ChannelPath, thresholdDb: Double, missProbability: Double, rng: inout SeededRandom) -> Bool {
    guard path.reaches(thresholdDb) else { return false }
    let type = path.truth.pathType
    if (type == .target || type == .background) && missProbability > 0 && rng.bernoulli(missProbability) { return false }
    return true
}

/// Abstract fidelity, the measurement model `abstract` (docs/domain.md §5): every path at or
/// above `detectionThresholdDb` (in either band) is reported at once, its range, rate and
/// angles drawn around the truth with the Cramér–Rao variances at its SNR
/// (`FrameOutput.report`); then the link's clutter false alarms.
///
/// Clutter: a Poisson number of mean `clutterRate` per link and frame; path length uniform
/// over [baseline, baseline + 2·maxRange]; SNR above the threshold by an exponential of mean
/// `clutterSNRMeanDb`; random angles of arrival and departure; path rate normal with σ = 5
/// m/s — so a false alarm carries every field a real echo does.
struct AbstractMeasurement: MeasurementModel {
    let layout: SensingLayout
    var name: String { SensingFidelity.abstract.rawValue }
    var measuresSecondBand: Bool { true }

    init(_ setup: MeasurementSetup) { layout = setup.layout }

    func begin(_ link: LinkContext) {}

    func observe(
        _ path: inout ChannelPath, on link: LinkContext, rng: inout SeededRandom, band2RNG: inout SeededRandom,
        into output: inout FrameOutput
    ) {
        guard admits(path, thresholdDb: layout.spec.detectionThresholdDb, missProbability: layout.spec.missProbability, rng: &rng)
        else { return }
        path.realiseScatter(rng: &rng)
        output.report(&path, on: link, layout: layout, rng: &rng, band2RNG: &band2RNG)
        if path.truth.pathType == .target {
            output.counts.detections += 1
            output.statistics.recordSNR(max(path.snrDb, path.snr2Db ?? -.infinity))
        }
    }

    func end(_ link: LinkContext, rng: inout SeededRandom, band2RNG: inout SeededRandom, into output: inout FrameOutput) {
        let spec = layout.spec
        guard spec.clutterRate > 0 else { return }
        let n = rng.poisson(mean: spec.clutterRate)
        let baseline =
            link.link.isMonostatic
            ? link.constants.ris?.fixedPathLength ?? 0 : link.transmitterPosition.distance(to: link.receiverPosition)
        for _ in 0..<n {
            let path = baseline + rng.uniform() * 2 * spec.maxRange
            let snrDb = spec.detectionThresholdDb + rng.exponential(rate: 1 / spec.clutterSNRMeanDb)
            let arrival = Direction(azimuth: rng.uniform(-.pi, .pi), elevation: rng.uniform(-.pi / 6, .pi / 6))
            let departure = Direction(azimuth: rng.uniform(-.pi, .pi), elevation: rng.uniform(-.pi / 6, .pi / 6))
            var alarm = ChannelPath(
                truth: MeasurementTruth(
                    pathType: .clutter, moverId: nil, reflector: nil, transmitter: link.link.transmitter,
                    trueRange: path + link.offsetRange),
                snrDb: snrDb, arrival: arrival, departure: departure, rate: 5 * rng.gaussian())
            output.report(&alarm, on: link, layout: layout, rng: &rng, band2RNG: &band2RNG)
        }
        output.counts.clutter += n
    }
}
