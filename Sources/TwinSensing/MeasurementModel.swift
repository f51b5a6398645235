import TwinConfiguration
import TwinMath
import TwinRadio
import TwinWorld

/// One link as it is this frame: its constants, the positions and velocity of its ends,
/// the clock offset between them, and the second band when the link measures one.
public struct LinkContext: Sendable {
    public let link: SensingLink
    public let transmitterPosition: Vec3
    public let receiverPosition: Vec3
    public let receiverVelocity: Vec3
    /// c × (receiver clock − transmitter clock), m; 0 on a monostatic link.
    public let offsetRange: Double
    /// c × the receiver clock's drift, m/s: a drifting clock stretches delays at that rate.
    public let offsetRate: Double
    let constants: LinkConstants
    /// The second band this link measures (abstract fidelity, not through a RIS panel).
    let band2: SecondBandConstants?
}

/// What the measurements of one frame accumulate: the measurements and their truth labels
/// (in the same order), the frame's counts and the run's statistics.
public struct FrameOutput: Sendable {
    public internal(set) var measurements: [Measurement] = []
    public internal(set) var labels: [MeasurementTruth] = []
    var counts = FrameCounts()
    var statistics: SensingStatistics

    /// Appends one measurement with its truth.
    public mutating func append(_ measurement: Measurement, _ truth: MeasurementTruth) {
        measurements.append(measurement)
        labels.append(truth)
    }
}

/// How a link's receiver turns the channel's paths into measurements (docs/domain.md §5–6):
/// detection, the errors of the estimated range, rate and angles, false alarms.
///
/// Per frame and link the engine calls `begin`, then `observe` with each channel path in
/// order, then `end`. A model may report at once (abstract fidelity: bound-based draws) or
/// collect the paths and process them at `end` (waveform fidelity: OFDM synthesis and
/// processing). Implementations are registered by name in `MeasurementModels` and chosen per
/// link class by the world file's `sensing.fidelity`.
///
/// The methods are not `mutating`: a model carries no state from frame to frame (nothing of it
/// is checkpointed), and one that needs scratch within a link keeps it in a reference
/// (`WaveformLinks`). Called through an existential, a mutating method would copy the model on
/// every call.
public protocol MeasurementModel: Sendable {
    /// The name in `MeasurementModels` and world files.
    var name: String { get }
    /// Whether a link measured by this model also measures its second band (`secondBand`).
    var measuresSecondBand: Bool { get }
    func begin(_ link: LinkContext)
    /// One channel path of the link (the model may realise it in place: a scattered path's
    /// direction); `band2RNG` is the link's stream for its second band.
    func observe(
        _ path: inout ChannelPath, on link: LinkContext, rng: inout SeededRandom, band2RNG: inout SeededRandom,
        into output: inout FrameOutput)
    /// After the link's last path: false alarms, or the processing of collected paths.
    func end(_ link: LinkContext, rng: inout SeededRandom, band2RNG: inout SeededRandom, into output: inout FrameOutput)
}

/// What a measurement model is built from.
public struct MeasurementSetup: Sendable {
    public let world: WorldSpec
    public let spec: SensingSpec
    let layout: SensingLayout
    /// The links this model measures (`sensing.fidelity`).
    public let links: [SensingLink]
}

/// The measurement models by name (`sensing.fidelity`; the names are the fidelities').
public enum MeasurementModels {
    public typealias Factory = @Sendable (MeasurementSetup) -> any MeasurementModel

    public static let registry = Registry<Factory>(
        kind: "measurement model",
        builtIn: [
            .init(
                name: SensingFidelity.abstract.rawValue,
                summary: "each path's range, rate and angles drawn around the truth with the Cramér–Rao variance at its SNR; Poisson clutter",
                make: { AbstractMeasurement($0) }),
            .init(
                name: SensingFidelity.waveform.rawValue,
                summary: "the OFDM frame synthesised from the paths and processed: range–Doppler map, CA-CFAR, refinement (sensing.waveform)",
                make: { WaveformMeasurement($0) }),
        ])
}

extension FrameOutput {
    /// Reports one path on `link` (docs/domain.md §5), the one assembly both fidelities share:
    ///
    /// 1. **Attribution** (cell-free): the receiver attributes a non-direct echo to the right
    ///    transmitter with probability `identificationAccuracy`, else to another it hears
    ///    (uniformly): a wrong ellipse.
    /// 2. **Range and rate**: drawn around the truth with the Cramér–Rao variance at the SNR,
    ///    or `measured` by signal processing (its variance floor added); a monostatic link
    ///    reports half the path.
    /// 3. **Second band** (`link.band2`): its own threshold test, draws from `band2RNG` and
    ///    inverse-variance fusion with the primary band (`MultiBandFusion`).
    /// 4. **Angles**: of arrival by the receiving array — a RIS panel measures along its own
    ///    axes, MUSIC's `measuredArrival` when given, else a CRLB draw per array axis — and of
    ///    departure when the transmitter sweeps beams; at the primary band's SNR, or the second
    ///    band's when only it detects the path.
    mutating func report(
        _ path: inout ChannelPath, on link: LinkContext, layout: SensingLayout, rng: inout SeededRandom,
        band2RNG rng2: inout SeededRandom, measured: (range: Double, rate: Double, floor: Double)? = nil,
        measuredArrival: MeasuredArrival? = nil
    ) {
        let c = link.constants
        let symbols = layout.spec.symbolsPerFrame
        let linkId = Self.attribute(path, on: link, layout: layout, rng: &rng)
        let rangeScale = layout.links[linkId].isMonostatic ? 0.5 : 1.0
        var truth = path.truth
        truth.trueRange *= rangeScale
        let snr = Double.exp(path.snrDb * (Double.log(10) / 10))
        let lengthVar =
            (CramerRao.pathLengthVariance(bandwidth: c.bandwidth, snr: snr) + (measured?.floor ?? 0)) * rangeScale * rangeScale
        let rateVar =
            CramerRao.rangeRateVariance(
                wavelength: c.wavelength, symbolDuration: c.symbolDuration, symbols: symbols, snr: snr) * rangeScale
            * rangeScale
        var m = Measurement(
            linkId: linkId, range: measured.map { $0.range * rangeScale } ?? truth.trueRange + rng.gaussian() * lengthVar.squareRoot(),
            rangeVariance: lengthVar,
            rangeRate: measured.map { $0.rate * rangeScale } ?? (path.rate + link.offsetRate) * rangeScale + rng.gaussian()
                * rateVar.squareRoot(),
            rangeRateVariance: rateVar,
            snrDb: path.snrDb)
        var angleSNR = snr
        if let b = link.band2, let snr2Db = path.snr2Db {
            angleSNR = Self.fuseSecondBand(
                b, snr2Db: snr2Db, into: &m, truth: truth, rate: (path.rate + link.offsetRate) * rangeScale, primarySNR: snr,
                lengthVariance: lengthVar, rateVariance: rateVar, rangeScale: rangeScale, symbols: symbols,
                threshold: layout.spec.detectionThresholdDb, rng: &rng2)
        }
        if let ris = c.ris {  // measured in the panel's frame (RISSensing)
            let arrival = path.arrival
            if let a = ris.measureArrival(.unit(azimuth: arrival.azimuth, elevation: arrival.elevation), snr: snr, rng: &rng) {
                (m.aoaAzimuth, m.aoaAzimuthVariance) = (a.azimuth, a.azimuthVariance)
                (m.aoaElevation, m.aoaElevationVariance) = (a.elevation, a.elevationVariance)
            }
        } else if let a = measuredArrival {  // waveform fidelity, `angles: music`
            (m.aoaAzimuth, m.aoaAzimuthVariance) = (a.azimuth, a.azimuthVariance)
            (m.aoaElevation, m.aoaElevationVariance) = (a.elevation, a.elevationVariance)
        } else {
            (m.aoaAzimuth, m.aoaAzimuthVariance) = Self.measureAngle(
                path.arrival.azimuth, elements: c.rxElements.x, snr: angleSNR, wrap: true, rng: &rng)
            (m.aoaElevation, m.aoaElevationVariance) = Self.measureAngle(
                path.arrival.elevation, elements: c.rxElements.y, snr: angleSNR, wrap: false, rng: &rng)
        }
        if let departure = path.departure, c.reportsDeparture {
            (m.aodAzimuth, m.aodAzimuthVariance) = Self.measureAngle(
                departure.azimuth, elements: c.txElements.x, snr: angleSNR, wrap: true, rng: &rng)
            (m.aodElevation, m.aodElevationVariance) = Self.measureAngle(
                departure.elevation, elements: c.txElements.y, snr: angleSNR, wrap: false, rng: &rng)
        }
        append(m, truth)
    }

    /// Cell-free attribution: the link the receiver attributes the path to (its own unless a
    /// draw misidentifies the transmitter; direct paths are identified by their known geometry).
    @inline(__always)
    static func attribute(_ path: borrowing ChannelPath, on link: LinkContext, layout: SensingLayout, rng: inout SeededRandom) -> Int {
        guard link.link.kind == .cellFree, path.truth.pathType != .direct,
            !rng.bernoulli(layout.spec.identificationAccuracy), case .baseStation(let j) = link.link.receiver
        else { return link.link.id }
        // Uniformly among the other transmitters this receiver hears.
        let others = layout.cellFreeAlternatives[j]
        guard others.count > 1, let own = others.firstIndex(of: link.link.id) else { return link.link.id }
        let pick = rng.index(below: others.count - 1)
        return others[pick < own ? pick : pick + 1]
    }

    /// The second band of a path: its own threshold test and CRLB draws, fused by inverse
    /// variance with the primary band's estimate in `m`. Returns the SNR angles are measured at:
    /// the primary band's, or the second band's when only it detects the path.
    static func fuseSecondBand(
        _ b: SecondBandConstants, snr2Db: Double, into m: inout Measurement, truth: MeasurementTruth, rate: Double,
        primarySNR snr: Double, lengthVariance lengthVar: Double, rateVariance rateVar: Double, rangeScale: Double,
        symbols: Int, threshold: Double, rng rng2: inout SeededRandom
    ) -> Double {
        let snr2 = Double.exp(snr2Db * (Double.log(10) / 10))
        let lengthVar2 = CramerRao.pathLengthVariance(bandwidth: b.bandwidth, snr: snr2) * rangeScale * rangeScale
        let rateVar2 =
            CramerRao.rangeRateVariance(wavelength: b.wavelength, symbolDuration: b.symbolDuration, symbols: symbols, snr: snr2)
            * rangeScale * rangeScale
        let second = MultiBandFusion.Estimate(
            pathLength: truth.trueRange + rng2.gaussian() * lengthVar2.squareRoot(), pathLengthVariance: lengthVar2,
            rate: rate + rng2.gaussian() * rateVar2.squareRoot(), rateVariance: rateVar2)
        let first = MultiBandFusion.Estimate(pathLength: m.range, pathLengthVariance: lengthVar, rate: m.rangeRate, rateVariance: rateVar)
        let primaryDetects = m.snrDb >= threshold
        let bands = (primaryDetects ? [first] : []) + (snr2Db >= threshold ? [second] : [])
        if let f = MultiBandFusion.fuse(bands) {
            (m.range, m.rangeVariance, m.rangeRate, m.rangeRateVariance) = (f.pathLength, f.pathLengthVariance, f.rate, f.rateVariance)
        }
        guard !primaryDetects else { return snr }
        m.snrDb = snr2Db
        return snr2
    }

    /// An angle measured by an array of `elements` along its axis: the truth plus a normal
    /// error of the CRLB variance 6/(m³·SNR); nothing when the axis has a single element.
    @inline(__always)
    static func measureAngle(_ truth: Double, elements: Int, snr: Double, wrap: Bool, rng: inout SeededRandom) -> (Double?, Double?) {
        guard elements > 1 else { return (nil, nil) }
        let variance = CramerRao.angleVariance(elements: elements, snr: snr)
        let value = truth + rng.gaussian() * variance.squareRoot()
        // Azimuths wrap around; elevations stop at the zenith and nadir.
        return (wrap ? wrapAngle(value) : min(max(value, -.pi / 2), .pi / 2), variance)
    }
}
