import RealModule
import TwinMath
import TwinRadio
import TwinWorld

/// Turns the true world of each frame into unlabeled measurements (DOMAIN.md §2–5).
///
/// Per frame, for every *leg* (an anchor — a BS or a receiving UE — and a target) it decides
/// line of sight (ray–obstacle through the obstacle index, and/or the 38.901 LOS probability
/// with spatially consistent draws), the path loss of the anchor's scenario with spatially
/// consistent shadowing, and the geometry. Then for every link and target it forms the
/// bistatic radar equation, applies the detection threshold and draws each measured value
/// around the truth with the Cramér–Rao variance at that SNR; and adds Type I direct paths,
/// Type III NLOS paths, clutter false alarms, static background echoes, clock offsets and
/// (cell-free) transmitter mis-attributions.
///
/// Randomness: each link, leg and target draws from its own substream of
/// `sensing` under the run's seed, in a fixed order, so runs are reproducible.
public struct SensingEngine: Sendable {
    public let spec: SensingSpec
    public let links: [SensingLink]
    public let baseStations: [BaseStationSpec]
    /// Static background reflectors (positions), if any.
    public let reflectors: [Vec3]
    public private(set) var statistics = SensingStatistics()

    private let moverCount: Int
    private let targetCount: Int
    /// Anchors: base stations first, then one per receiving UE and carrier it listens on (a
    /// UE's legs are evaluated at each transmitter carrier): `ueAnchorMover[a − bsCount]`.
    private let ueAnchorMover: [Int]
    /// Positions of the RIS anchors (after the UE anchors), one per RIS link.
    private let risAnchorPosition: [Vec3]
    let anchorModels: [any PropagationModel]
    private let anchorCarrier: [Double]
    private let anchorUsed: [Bool]
    private let linkConstants: [LinkConstants]
    /// For BS pairs: link id of (tx, rx), or −1; used for cell-free attribution.
    private let bsPairLink: [[Int]]
    /// For each receiving BS, the links that end at it (cell-free attribution candidates).
    private let cellFreeAlternatives: [[Int]]
    private let obstacles: ObstacleIndex?
    private let useGeometry: Bool
    private let useStochastic: Bool
    /// BS clock offsets (operator + BS + STO draw), s.
    private let bsClock: [Double]
    private let moverRCS: [(meanDbsm: Double, spreadDb: Double)]
    /// With a `cooperation` section: each BS reports angles in its operator's frame.
    private let operatorFrames: OperatorFrames?

    /// Direct paths of BS–BS links (nil entry: not static, evaluate per frame; `.some(nil)`: blocked).
    private let staticDirect: [DirectPath??]
    private var legs: [LegState]
    private var legFrame: [LegNow]
    private var rcs: [RCSProcess]
    private var rcsRNG: [SeededRandom]
    /// This frame's radar cross section of each mover, dBsm (set before use in each frame, so
    /// not in the checkpoint).
    private var rcsNow: [Double]
    private var linkRNG: [SeededRandom]
    /// Each link's stream for its second band's draws (`link/…/band2`), apart from `linkRNG` so
    /// that worlds without second bands draw exactly as before.
    private var bandRNG: [SeededRandom]
    private var previousTime: Double?
    /// This frame's sensing schedule as a [BS × mover] mask (nil: every BS senses every
    /// mover); set in `observe`, so not in the checkpoint.
    private var illuminated: [Bool]?
    /// Waveform fidelity's processors and scratch (nil: every link abstract); not state.
    private let waveform: WaveformLinks?

    /// Builds the sensing chain of a world. `mode` overrides the world file's.
    public init(world: WorldSpec, movers: [MoverInfo], mode: SensingMode? = nil) {
        var spec = world.sensing
        if let mode { spec.mode = mode }
        self.spec = spec
        baseStations = world.baseStations
        let root = SeededRandom(seed: world.simulation.seed).substream("sensing")
        let ueMovers = movers.filter(\.carriesUE).map(\.id)
        let modeLinks = SensingLinks.make(
            mode: spec.mode, baseStations: world.baseStations, ueMovers: ueMovers, maxBaseline: spec.maxBaseline,
            crossOperator: world.cooperation?.policy.sharesMeasurements ?? false)
        links = modeLinks + RISSensing.links(world: world, sensing: spec, firstId: modeLinks.count)
        operatorFrames = world.cooperation.map { _ in OperatorFrames(world: world) }
        moverCount = movers.count
        // Background reflectors: fixed points 1 m above free floor, drawn once from the seed.
        var placement = root.substream("background")
        var reflectors: [Vec3] = []
        let size = world.map.size
        var tries = 0
        while reflectors.count < spec.backgroundReflectors && tries < 100 * max(1, spec.backgroundReflectors) {
            tries += 1
            let p = Vec3(placement.uniform(0, size.x), placement.uniform(0, size.y), 1)
            if !world.map.obstacles.contains(where: { $0.contains(p, clearance: 0.5) }) { reflectors.append(p) }
        }
        self.reflectors = reflectors
        targetCount = movers.count + reflectors.count

        // Anchors and their propagation scenarios: in a hall InF; on roads UMa for macro, UMi
        // for micro BSs and for UEs and RIS panels (street level).
        let bsCount = world.baseStations.count
        // Carriers UEs listen on: those of BSs transmitting to UEs, sorted (deterministic).
        var ueCarriers: [Double] = []
        for link in links where link.kind == .trpUE {
            if case .baseStation(let i) = link.transmitter, !ueCarriers.contains(world.baseStations[i].carrierFrequency) {
                ueCarriers.append(world.baseStations[i].carrierFrequency)
            }
        }
        ueCarriers.sort()
        var ueAnchorMover: [Int] = []
        var anchorOfUE = [[Int]](repeating: [], count: movers.count)
        for m in ueMovers where !ueCarriers.isEmpty {
            for _ in ueCarriers {
                anchorOfUE[m].append(bsCount + ueAnchorMover.count)
                ueAnchorMover.append(m)
            }
        }
        self.ueAnchorMover = ueAnchorMover
        let street = PropagationScenario.street(world)
        var models: [any PropagationModel] = world.baseStations.indices.map { PropagationScenario.model(world: world, baseStation: $0) }
        var carriers: [Double] = world.baseStations.map(\.carrierFrequency)
        for k in ueAnchorMover.indices {
            models.append(street.model)
            carriers.append(ueCarriers[k % ueCarriers.count])
        }
        // RIS anchors last (one per RIS link): street level (a panel is a street-level anchor
        // whatever its BS's tier; RISSensing), on their BS's carrier.
        let risPanels = links.compactMap(\.panel)
        for panel in links where panel.panel != nil {
            guard case .baseStation(let i) = panel.transmitter else { continue }
            models.append(street.model)
            carriers.append(carriers[i])
        }
        risAnchorPosition = risPanels.map(\.position)
        anchorModels = models
        anchorCarrier = carriers
        let anchorCount = models.count
        var used = [Bool](repeating: false, count: anchorCount)
        /// A node's anchor for a link whose transmitter is BS `tx`.
        func anchor(_ node: SensingNode, tx: Int) -> Int {
            switch node {
            case .baseStation(let i): return i
            case .ue(let m): return anchorOfUE[m][ueCarriers.firstIndex(of: world.baseStations[tx].carrierFrequency)!]
            }
        }
        func transmitter(_ link: SensingLink) -> Int {
            guard case .baseStation(let i) = link.transmitter else { preconditionFailure("transmitters are base stations") }
            return i
        }
        /// A link's transmitting and receiving anchors (both the panel for a RIS link).
        func ends(_ link: SensingLink) -> (tx: Int, rx: Int) {
            if let panel = link.panel, let k = risPanels.firstIndex(of: panel) {
                return (bsCount + ueAnchorMover.count + k, bsCount + ueAnchorMover.count + k)
            }
            return (anchor(link.transmitter, tx: transmitter(link)), anchor(link.receiver, tx: transmitter(link)))
        }
        for link in links {
            used[ends(link).tx] = true
            used[ends(link).rx] = true
        }
        anchorUsed = used

        // Clocks: operator offset + BS offset + a per-BS STO drawn uniformly in ±stoMax.
        let operatorClock = Dictionary(world.operators.map { ($0.name, $0.clockOffset) }, uniquingKeysWith: { a, _ in a })
        bsClock = world.baseStations.map { bs in
            var sto = root.substream("sto/\(bs.name)")
            return (operatorClock[bs.operatorName] ?? 0) + bs.clockOffset + (spec.stoMax > 0 ? sto.uniform(-spec.stoMax, spec.stoMax) : 0)
        }

        var pairLink = [[Int]](repeating: [Int](repeating: -1, count: bsCount), count: bsCount)
        let linkConstantsForInit = links.map { link in
            var c = LinkConstants(link: link, world: world, sensing: spec, txAnchor: ends(link).tx, rxAnchor: ends(link).rx)
            if let panel = link.panel {
                c.attach(
                    panel: world.ris[panel.index], baseStation: world.baseStations[transmitter(link)], model: models[transmitter(link)])
            }
            return c
        }
        linkConstants = linkConstantsForInit
        for link in links where link.panel == nil {  // a RIS link is no BS pair
            if case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver { pairLink[i][j] = link.id }
        }
        bsPairLink = pairLink
        // Only cell-free links (one operator's); a cross-operator pair is a trp-trp link (SensingLinks).
        let kinds = links.map(\.kind)
        cellFreeAlternatives = (0..<bsCount).map { j in
            (0..<bsCount).compactMap { i in pairLink[i][j] >= 0 && kinds[pairLink[i][j]] == .cellFree ? pairLink[i][j] : nil }
        }
        // A RIS link's stream is named after its panel too (its BS's own link has the same ends).
        linkRNG = links.map { root.substream("link/\($0.transmitter)->\($0.receiver)" + ($0.panel.map { "/ris:\($0.name)" } ?? "")) }
        bandRNG = links.map {
            root.substream("link/\($0.transmitter)->\($0.receiver)" + ($0.panel.map { "/ris:\($0.name)" } ?? "") + "/band2")
        }

        let hasObstacles = !world.map.obstacles.isEmpty
        switch spec.lineOfSight {
        case .auto: (useGeometry, useStochastic) = (hasObstacles, !hasObstacles)
        case .geometry: (useGeometry, useStochastic) = (true, false)
        case .stochastic: (useGeometry, useStochastic) = (false, true)
        case .both: (useGeometry, useStochastic) = (true, true)
        }
        obstacles = useGeometry && hasObstacles ? ObstacleIndex(obstacles: world.map.obstacles, bounds: world.map.size) : nil

        let targets = movers.count + reflectors.count
        let index = obstacles
        let stochastic = useStochastic
        staticDirect = links.map { link in
            guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver, i != j else { return nil }
            let a = world.baseStations[i].position, b = world.baseStations[j].position
            // Between two fixed BSs the LOS state is one draw for the whole run.
            var draw = root.substream("direct/\(world.baseStations[i].name)->\(world.baseStations[j].name)")
            if stochastic && draw.uniform() >= models[i].losProbability(LinkGeometry(a, b)) { return .some(nil) }
            return .some(Self.directPath(a, b, constants: linkConstantsForInit[link.id], model: models[i], obstacles: index))
        }
        // Leg streams are named by anchor and target, so adding a mover leaves other legs' draws alone.
        let anchorNames =
            world.baseStations.map(\.name)
            + ueAnchorMover.indices.map { "ue:\(movers[ueAnchorMover[$0]].name)@\(carriers[bsCount + $0])" }
            + risPanels.map { "ris:\($0.name)" }
        let targetNames = movers.map(\.name) + reflectors.indices.map { "reflector-\($0)" }
        legs = (0..<(anchorCount * targets)).map { k in
            LegState(rng: root.substream("leg/\(anchorNames[k / targets])/\(targetNames[k % targets])"))
        }
        legFrame = Array(repeating: LegNow(), count: anchorCount * targets)
        moverRCS = movers.map { RCSModel.parameters(for: $0.moverClass, uavSize: $0.uavSize) }
        rcs = moverRCS.map { RCSProcess(meanDbsm: $0.meanDbsm, spreadDb: $0.spreadDb, correlationTime: spec.rcsCorrelationTime) }
        rcsRNG = movers.map { root.substream("rcs/\($0.name)") }
        rcsNow = moverRCS.map(\.meanDbsm)
        waveform = WaveformLinks.make(spec: spec, links: links, baseStations: world.baseStations)
    }

    /// The state `observe` changes, to persist and later `restore` into an engine built afresh
    /// from the same world file and mode (see `SensingCheckpoint` for what is and is not in it).
    public func checkpoint() -> SensingCheckpoint {
        SensingCheckpoint(
            legs: legs, legFrame: legFrame, rcs: rcs, rcsRNG: rcsRNG, linkRNG: linkRNG, bandRNG: bandRNG, previousTime: previousTime,
            statistics: statistics)
    }

    /// Puts the engine in the state of `checkpoint`, taken from an engine built from the same
    /// world file and mode: with the world restored from the same frame, the next `observe`
    /// then returns what the checkpointed engine's next `observe` returned.
    ///
    /// Throws `CheckpointMismatch`, leaving the engine unchanged, when the checkpoint does not
    /// fit: other numbers of legs, links or movers, other random streams (another seed, mode,
    /// renamed movers or base stations) or other RCS parameters.
    public mutating func restore(_ checkpoint: SensingCheckpoint) throws {
        var problems: [String] = []
        func check(_ what: String, _ theirs: [SeededRandom], _ ours: [SeededRandom]) {
            if theirs.count != ours.count {
                problems.append("\(what): the checkpoint has \(theirs.count), this engine has \(ours.count)")
            } else if let k = theirs.indices.first(where: { theirs[$0].key != ours[$0].key }) {
                problems.append("\(what) \(k): random stream of another seed, mode, mover or base station")
            }
        }
        check("leg states (anchors × targets)", checkpoint.legs.map(\.rng), legs.map(\.rng))
        if checkpoint.legFrame.count != legFrame.count {
            problems.append("legs this frame: the checkpoint has \(checkpoint.legFrame.count), this engine has \(legFrame.count)")
        }
        check("links", checkpoint.linkRNG, linkRNG)
        if let theirs = checkpoint.bandRNG { check("links' second bands", theirs, bandRNG) }
        check("mover RCS streams", checkpoint.rcsRNG, rcsRNG)
        if checkpoint.rcs.count != rcs.count {
            problems.append("mover RCS processes: the checkpoint has \(checkpoint.rcs.count), this engine has \(rcs.count)")
        } else if let m = rcs.indices.first(where: {
            let (a, b) = (checkpoint.rcs[$0], rcs[$0])
            return a.meanDbsm != b.meanDbsm || a.spreadDb != b.spreadDb || a.correlationTime != b.correlationTime
        }) {
            problems.append("mover \(m): RCS parameters differ (another class or rcsCorrelationTime)")
        }
        if let t = checkpoint.previousTime, !t.isFinite { problems.append("previous frame time \(t) s: not a time") }
        guard problems.isEmpty else { throw CheckpointMismatch(subject: "sensing", problems: problems) }
        legs = checkpoint.legs
        legFrame = checkpoint.legFrame
        rcs = checkpoint.rcs
        rcsRNG = checkpoint.rcsRNG
        linkRNG = checkpoint.linkRNG
        if let theirs = checkpoint.bandRNG { bandRNG = theirs }
        previousTime = checkpoint.previousTime
        statistics = checkpoint.statistics
    }

    /// Number of anchors (BSs and receiving UEs).
    var anchorCount: Int { anchorModels.count }

    /// Measurements of one frame, and their truth labels (kept apart: only the first goes on
    /// to localisation).
    /// With a `schedule`, echoes of movers come only from the beams it lists (handover).
    public mutating func observe(_ snapshot: WorldSnapshot, schedule: SensingSchedule? = nil) -> (FrameObservations, ObservationTruth) {
        illuminated = schedule?.mask(baseStations: baseStations.count, movers: snapshot.movers.map(\.position))
        let dt = previousTime.map { snapshot.time - $0 } ?? 0
        previousTime = snapshot.time
        for m in 0..<moverCount { rcsNow[m] = rcs[m].next(dt: dt, rng: &rcsRNG[m]) }
        updateLegs(snapshot)

        var measurements: [Measurement] = []
        var labels: [MeasurementTruth] = []
        measurements.reserveCapacity(statistics.lastFrameMeasurements + 16)
        labels.reserveCapacity(statistics.lastFrameMeasurements + 16)
        var frameStats = FrameCounts()
        for link in links {
            emit(link: link, snapshot: snapshot, into: &measurements, labels: &labels, counts: &frameStats)
        }
        statistics.add(frameStats, measurements: measurements.count)
        operatorFrames?.report(&measurements, links: links)
        let anchors = snapshot.ues.enumerated().compactMap { id, report in
            report.map { UEAnchor(moverId: id, reportedPosition: $0.reportedPosition) }
        }
        return (
            FrameObservations(frameIndex: snapshot.frameIndex, time: snapshot.time, measurements: measurements, ueAnchors: anchors),
            ObservationTruth(labels: labels)
        )
    }

    // MARK: - Legs

    private func anchorPosition(_ a: Int, _ snapshot: WorldSnapshot) -> Vec3 {
        if let r = risAnchor(a) { return risAnchorPosition[r] }
        return a < baseStations.count ? baseStations[a].position : snapshot.movers[ueAnchorMover[a - baseStations.count]].position
    }

    /// Index of anchor `a` among the RIS anchors, or nil for a BS or UE anchor.
    private func risAnchor(_ a: Int) -> Int? {
        let first = baseStations.count + ueAnchorMover.count
        return a >= first ? a - first : nil
    }

    private func targetPosition(_ t: Int, _ snapshot: WorldSnapshot) -> Vec3 {
        t < moverCount ? snapshot.movers[t].position : reflectors[t - moverCount]
    }

    private mutating func updateLegs(_ snapshot: WorldSnapshot) {
        for a in 0..<anchorCount where anchorUsed[a] {
            let pa = anchorPosition(a, snapshot)
            let selfMover = a >= baseStations.count && risAnchor(a) == nil ? ueAnchorMover[a - baseStations.count] : -1
            for t in 0..<targetCount {
                let k = a * targetCount + t
                guard t != selfMover else { legFrame[k].inRange = false; continue }
                // A BS and a background reflector never move: their leg is evaluated once.
                if (a < baseStations.count || risAnchor(a) != nil) && t >= moverCount && legs[k].hasPositions { continue }
                let pt = targetPosition(t, snapshot)
                let delta = pt - pa
                let distance = delta.norm
                guard distance <= spec.maxRange, distance > 0.1 else { legFrame[k].inRange = false; continue }
                var leg = legs[k]
                let moved = leg.hasPositions ? pt.distance(to: leg.lastTarget) + pa.distance(to: leg.lastAnchor) : 0
                leg.lastTarget = pt
                leg.lastAnchor = pa
                leg.hasPositions = true
                let blocked = obstacles?.isBlocked(pa, pt) ?? false
                let state = leg.largeScale.advance(
                    geometry: LinkGeometry(pa, pt), carrierFrequency: anchorCarrier[a], model: anchorModels[a],
                    distanceMoved: moved, rng: &leg.rng, blocked: blocked, stochasticLOS: useStochastic)
                legs[k] = leg
                let unit = delta / distance
                legFrame[k] = LegNow(
                    inRange: true, los: state.isLOS, pathLossDb: state.totalLossDb,
                    distance: distance, unit: unit, direction: Direction(unit))
            }
        }
    }

    // MARK: - Links

    private mutating func emit(
        link: SensingLink, snapshot: WorldSnapshot, into out: inout [Measurement],
        labels: inout [MeasurementTruth], counts: inout FrameCounts
    ) {
        let c = linkConstants[link.id]
        var rng = linkRNG[link.id]
        defer { linkRNG[link.id] = rng }
        let txPosition = anchorPosition(c.txAnchor, snapshot)
        let rxPosition = anchorPosition(c.rxAnchor, snapshot)
        let rxVelocity: Vec3 =
            c.rxAnchor >= baseStations.count && risAnchor(c.rxAnchor) == nil
            ? snapshot.movers[ueAnchorMover[c.rxAnchor - baseStations.count]].velocity : .zero
        let rxClock: Double
        switch link.receiver {
        case .baseStation(let j): rxClock = bsClock[j]
        case .ue(let m): rxClock = snapshot.ues[m]?.clockOffset ?? 0
        }
        let txClock: Double = if case .baseStation(let i) = link.transmitter { bsClock[i] } else { 0 }
        let offsetRange = link.isMonostatic ? 0 : PhysicalConstants.speedOfLight * (rxClock - txClock)
        let rxDrift: Double = if case .ue(let m) = link.receiver { snapshot.ues[m]?.clockDrift ?? 0 } else { 0 }
        // A drifting receiver clock stretches delays at the drift rate: c·drift adds to every rate.
        let offsetRate = PhysicalConstants.speedOfLight * rxDrift
        let blockStart = out.count
        // Waveform fidelity: paths are collected (down to a floor below the threshold) and
        // measured by signal processing at the end (WaveformLinks.swift).
        let isWaveform = waveform?.isWaveform(link.id) ?? false
        if isWaveform { waveform!.paths.removeAll(keepingCapacity: true) }
        let admitDb = isWaveform ? spec.detectionThresholdDb - spec.waveform.synthesisFloorDb : spec.detectionThresholdDb
        // Multi-band: the link's second band (abstract fidelity, not through a RIS panel).
        let band2 = isWaveform || c.ris != nil ? nil : c.band2
        var rng2 = bandRNG[link.id]
        defer { if band2 != nil { bandRNG[link.id] = rng2 } }

        /// Adds a path whose `truth.trueRange` is the raw measured path length (both legs plus
        /// c × clock offset); the reported range follows the convention of the link the
        /// receiver attributes it to: half the path on a monostatic link.
        func add(
            _ truth: MeasurementTruth, snrDb: Double, arrival: Direction, departure: Direction?, rate: Double, rng: inout SeededRandom,
            measured: (range: Double, rate: Double, floor: Double)? = nil, measuredArrival: MeasuredArrival? = nil,
            snr2Db: Double? = nil
        ) {
            if isWaveform && measured == nil {
                waveform!.paths.append(WaveformPath(truth: truth, snrDb: snrDb, arrival: arrival, departure: departure, rate: rate))
                return
            }
            var linkId = link.id
            // Cell-free: the receiver attributes the echo to a transmitter; a wrong one puts it on
            // the wrong ellipse (direct paths are identified by their known geometry).
            if link.kind == .cellFree && truth.pathType != .direct && !rng.bernoulli(spec.identificationAccuracy),
                case .baseStation(let j) = link.receiver
            {
                // Uniformly among the other transmitters this receiver hears.
                let others = cellFreeAlternatives[j]
                if others.count > 1, let own = others.firstIndex(of: link.id) {
                    let pick = rng.index(below: others.count - 1)
                    linkId = others[pick < own ? pick : pick + 1]
                }
            }
            let rangeScale = links[linkId].isMonostatic ? 0.5 : 1.0
            var truth = truth
            truth.trueRange *= rangeScale
            let snr = Double.exp(snrDb * (Double.log(10) / 10))
            let lengthVar =
                (CramerRao.pathLengthVariance(bandwidth: c.bandwidth, snr: snr) + (measured?.floor ?? 0)) * rangeScale * rangeScale
            let rateVar =
                CramerRao.rangeRateVariance(
                    wavelength: c.wavelength, symbolDuration: c.symbolDuration, symbols: spec.symbolsPerFrame, snr: snr) * rangeScale
                * rangeScale
            var m = Measurement(
                linkId: linkId, range: measured.map { $0.range * rangeScale } ?? truth.trueRange + rng.gaussian() * lengthVar.squareRoot(),
                rangeVariance: lengthVar,
                rangeRate: measured.map { $0.rate * rangeScale } ?? (rate + offsetRate) * rangeScale + rng.gaussian()
                    * rateVar.squareRoot(),
                rangeRateVariance: rateVar,
                snrDb: snrDb)
            // Angles are measured at the primary band's SNR (same array on both bands), or at the
            // second band's when only it detects the path.
            var angleSNR = snr
            if let b = band2, let snr2Db {
                // Second band: its own threshold test, CRLB draws (its own stream) and inverse-
                // variance fusion with the primary band's estimate (MultiBandFusion).
                let snr2 = Double.exp(snr2Db * (Double.log(10) / 10))
                let lengthVar2 = CramerRao.pathLengthVariance(bandwidth: b.bandwidth, snr: snr2) * rangeScale * rangeScale
                let rateVar2 =
                    CramerRao.rangeRateVariance(
                        wavelength: b.wavelength, symbolDuration: b.symbolDuration, symbols: spec.symbolsPerFrame, snr: snr2)
                    * rangeScale * rangeScale
                let second = MultiBandFusion.Estimate(
                    pathLength: truth.trueRange + rng2.gaussian() * lengthVar2.squareRoot(), pathLengthVariance: lengthVar2,
                    rate: (rate + offsetRate) * rangeScale + rng2.gaussian() * rateVar2.squareRoot(), rateVariance: rateVar2)
                let first = MultiBandFusion.Estimate(
                    pathLength: m.range, pathLengthVariance: lengthVar, rate: m.rangeRate, rateVariance: rateVar)
                let bands = (snrDb >= spec.detectionThresholdDb ? [first] : []) + (snr2Db >= spec.detectionThresholdDb ? [second] : [])
                if let f = MultiBandFusion.fuse(bands) {
                    (m.range, m.rangeVariance, m.rangeRate, m.rangeRateVariance) =
                        (f.pathLength, f.pathLengthVariance, f.rate, f.rateVariance)
                }
                if snrDb < spec.detectionThresholdDb {
                    m.snrDb = snr2Db
                    angleSNR = snr2
                }
            }
            if let ris = c.ris {  // measured in the panel's frame (RISSensing)
                if let a = ris.measureArrival(.unit(azimuth: arrival.azimuth, elevation: arrival.elevation), snr: snr, rng: &rng) {
                    (m.aoaAzimuth, m.aoaAzimuthVariance) = (a.azimuth, a.azimuthVariance)
                    (m.aoaElevation, m.aoaElevationVariance) = (a.elevation, a.elevationVariance)
                }
            } else if let a = measuredArrival {  // waveform fidelity, `angles: music`
                (m.aoaAzimuth, m.aoaAzimuthVariance) = (a.azimuth, a.azimuthVariance)
                (m.aoaElevation, m.aoaElevationVariance) = (a.elevation, a.elevationVariance)
            } else {
                (m.aoaAzimuth, m.aoaAzimuthVariance) = Self.measureAngle(
                    arrival.azimuth, elements: c.rxElements.x, snr: angleSNR, wrap: true, rng: &rng)
                (m.aoaElevation, m.aoaElevationVariance) = Self.measureAngle(
                    arrival.elevation, elements: c.rxElements.y, snr: angleSNR, wrap: false, rng: &rng)
            }
            if let departure, c.reportsDeparture {
                (m.aodAzimuth, m.aodAzimuthVariance) = Self.measureAngle(
                    departure.azimuth, elements: c.txElements.x, snr: angleSNR, wrap: true, rng: &rng)
                (m.aodElevation, m.aodElevationVariance) = Self.measureAngle(
                    departure.elevation, elements: c.txElements.y, snr: angleSNR, wrap: false, rng: &rng)
            }
            out.append(m)
            labels.append(truth)
        }

        // Type I: the direct path of a bistatic pair, when in line of sight. Between two base
        // stations it never changes, so it was evaluated once (`staticDirect`).
        if !link.isMonostatic {
            let direct =
                staticDirect[link.id]
                ?? Self.directPath(txPosition, rxPosition, constants: c, model: anchorModels[c.txAnchor], obstacles: obstacles)
            let direct2 = direct.flatMap { d in
                band2.map { b in
                    d.snrDb + b.directDeltaDb
                        - b.pathLossDeltaDb(model: anchorModels[c.txAnchor], txPosition, rxPosition, los: true, primary: c.carrier)
                }
            }
            if let direct, direct.snrDb >= admitDb || (direct2 ?? -.infinity) >= admitDb {
                add(
                    MeasurementTruth(
                        pathType: .direct, moverId: nil, reflector: nil, transmitter: link.transmitter,
                        trueRange: direct.distance + offsetRange),
                    snrDb: direct.snrDb, arrival: direct.arrival, departure: direct.departure, rate: -rxVelocity.dot(direct.unit),
                    rng: &rng,
                    snr2Db: direct2)
            }
        }

        // Type II / III echoes of every target and background reflector.
        for t in 0..<targetCount {
            let legTx = legFrame[c.txAnchor * targetCount + t], legRx = legFrame[c.rxAnchor * targetCount + t]
            guard legTx.inRange, legRx.inRange else { continue }
            let isMover = t < moverCount
            if isMover, let lit = illuminated, !Self.inBeams(lit, link, t, moverCount) { continue }
            let velocity: Vec3 = isMover ? snapshot.movers[t].velocity : .zero
            let rcsDbsm = isMover ? rcsNow[t] : spec.backgroundRCSDbsm
            let pathLength = (link.isMonostatic ? 2 * legTx.distance : legTx.distance + legRx.distance) + (c.ris?.fixedPathLength ?? 0)
            // Rate of change of the path length (both legs).
            let rate =
                link.isMonostatic
                ? 2 * velocity.dot(legTx.unit)
                : velocity.dot(legTx.unit + legRx.unit) - rxVelocity.dot(legRx.unit)
            var baseSNR = c.echoSNRDb(rcsDbsm: rcsDbsm, txPathLossDb: legTx.pathLossDb, rxPathLossDb: legRx.pathLossDb)
            if c.ris != nil {  // through a RIS panel: only targets in front of it (RISSensing)
                guard let snr = RISSensing.snrDb(constants: c, rcsDbsm: rcsDbsm, risTargetLossDb: legTx.pathLossDb, offset: legTx.unit)
                else { continue }
                baseSNR = snr
            }
            // The second band: the same geometry, shadowing and LOS state as the leg (drawn at the
            // primary carrier), with the model's mean path loss difference between the carriers.
            var band2SNR: Double? = nil
            if let b = band2 {
                let p = targetPosition(t, snapshot)
                let dTx = b.pathLossDeltaDb(model: anchorModels[c.txAnchor], txPosition, p, los: legTx.los, primary: c.carrier)
                let dRx =
                    link.isMonostatic
                    ? dTx : b.pathLossDeltaDb(model: anchorModels[c.rxAnchor], rxPosition, p, los: legRx.los, primary: c.carrier)
                band2SNR = baseSNR + b.echoDeltaDb - dTx - dRx
            }
            if isMover { counts.pairs += 1 }
            if legTx.los && legRx.los {
                if isMover { counts.losPairs += 1 }
                if baseSNR >= admitDb || (band2SNR ?? -.infinity) >= admitDb,
                    !(spec.missProbability > 0 && rng.bernoulli(spec.missProbability))
                {
                    let type: PathType = isMover ? .target : .background
                    add(
                        MeasurementTruth(
                            pathType: type, moverId: isMover ? t : nil, reflector: isMover ? nil : t - moverCount,
                            transmitter: link.transmitter, trueRange: pathLength + offsetRange),
                        snrDb: baseSNR, arrival: legRx.direction, departure: legTx.direction, rate: rate, rng: &rng,
                        snr2Db: band2SNR)
                    if isMover && !isWaveform { counts.detections += 1; statistics.recordSNR(max(baseSNR, band2SNR ?? -.infinity)) }
                }
            }
            // Type III: via a scatterer near the target, longer and weaker; its angles point
            // towards the scatterer (the target's direction spread by 10°, 1σ).
            if isMover && spec.nlosProbability > 0 && rng.bernoulli(spec.nlosProbability) {
                let excess = rng.exponential(rate: 1 / spec.nlosExcessMean)
                let snrDb = baseSNR - spec.nlosExtraLossDb
                let snr2Db = band2SNR.map { $0 - spec.nlosExtraLossDb }
                if snrDb >= admitDb || (snr2Db ?? -.infinity) >= admitDb {
                    let spread = 10.0 * .pi / 180
                    let arrival = Direction(
                        azimuth: wrapAngle(legRx.direction.azimuth + rng.gaussian() * spread), elevation: legRx.direction.elevation)
                    add(
                        MeasurementTruth(
                            pathType: .nlos, moverId: t, reflector: nil, transmitter: link.transmitter,
                            trueRange: pathLength + excess + offsetRange),
                        snrDb: snrDb, arrival: arrival, departure: legTx.direction, rate: rate, rng: &rng, snr2Db: snr2Db)
                }
            }
        }

        // Clutter false alarms: Poisson count; path length uniform beyond the baseline; random
        // angles of arrival and (where beams sweep) departure; SNR above the threshold by an
        // exponential of mean `clutterSNRMeanDb`; path rate normal with σ = 5 m/s — so a false
        // alarm carries every field a real echo does.
        if spec.clutterRate > 0 && !isWaveform {
            let n = rng.poisson(mean: spec.clutterRate)
            let baseline = link.isMonostatic ? c.ris?.fixedPathLength ?? 0 : txPosition.distance(to: rxPosition)
            for _ in 0..<n {
                let path = baseline + rng.uniform() * 2 * spec.maxRange
                let snrDb = spec.detectionThresholdDb + rng.exponential(rate: 1 / spec.clutterSNRMeanDb)
                let arrival = Direction(azimuth: rng.uniform(-.pi, .pi), elevation: rng.uniform(-.pi / 6, .pi / 6))
                let departure = Direction(azimuth: rng.uniform(-.pi, .pi), elevation: rng.uniform(-.pi / 6, .pi / 6))
                add(
                    MeasurementTruth(
                        pathType: .clutter, moverId: nil, reflector: nil, transmitter: link.transmitter, trueRange: path + offsetRange),
                    snrDb: snrDb, arrival: arrival, departure: departure, rate: 5 * rng.gaussian(), rng: &rng)
            }
            counts.clutter += n
        }

        // Waveform fidelity: CFAR detections instead of draws; its false alarms replace clutter.
        if isWaveform, let waveform {
            for (index, d) in waveform.process(link: link.id, offsetRate: offsetRate, rng: &rng).enumerated() {
                let measured = (range: d.pathLength, rate: d.peak.rate, floor: waveform.pathLengthVarianceFloor(link: link.id))
                // `angles: music` (not through a RIS panel): MUSIC on the array's snapshots.
                let music =
                    waveform.angles == .music && c.ris == nil
                    ? waveform.measureArrival(link: link.id, peak: d.peak, index: index, elements: c.rxElements, rng: &rng) : nil
                if let i = d.path {
                    let p = waveform.paths[i]
                    if p.truth.pathType == .target {
                        counts.detections += 1
                        statistics.recordSNR(p.snrDb)
                    }
                    add(
                        p.truth, snrDb: d.peak.snrDb, arrival: p.arrival, departure: p.departure, rate: p.rate, rng: &rng,
                        measured: measured, measuredArrival: music)
                } else {
                    let arrival =
                        music != nil
                        ? Direction(azimuth: 0, elevation: 0)
                        : Direction(azimuth: rng.uniform(-.pi, .pi), elevation: rng.uniform(-.pi / 6, .pi / 6))
                    let departure = Direction(azimuth: rng.uniform(-.pi, .pi), elevation: rng.uniform(-.pi / 6, .pi / 6))
                    add(
                        MeasurementTruth(
                            pathType: .clutter, moverId: nil, reflector: nil, transmitter: link.transmitter, trueRange: d.pathLength),
                        snrDb: d.peak.snrDb, arrival: arrival, departure: departure, rate: d.peak.rate, rng: &rng, measured: measured,
                        measuredArrival: music)
                    counts.clutter += 1
                }
            }
        }

        // Shuffle this link's block (measurements and labels alike): the order of generation —
        // direct path, targets by id, reflectors, clutter — must not give the association away.
        var k = out.count - 1
        while k > blockStart {
            let j = blockStart + rng.index(below: k - blockStart + 1)
            out.swapAt(k, j)
            labels.swapAt(k, j)
            k -= 1
        }
    }
}

/// The Type I path of a link: geometry and SNR (nil when blocked).
struct DirectPath: Sendable {
    var distance: Double
    /// Unit vector from the receiver towards the transmitter.
    var unit: Vec3
    var arrival: Direction
    var departure: Direction
    var snrDb: Double
}

extension SensingEngine {
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

    static func directPath(
        _ tx: Vec3, _ rx: Vec3, constants c: LinkConstants, model: any PropagationModel,
        obstacles: ObstacleIndex?
    ) -> DirectPath? {
        let d = tx.distance(to: rx)
        guard d > 0, !(obstacles?.isBlocked(tx, rx) ?? false) else { return nil }
        let pathLoss = model.pathLoss(LinkGeometry(tx, rx), carrierFrequency: c.carrier, los: true).meanDb
        let u = (tx - rx) / d
        return DirectPath(distance: d, unit: u, arrival: Direction(u), departure: Direction(-u), snrDb: c.directConstantDb - pathLoss)
    }
}

/// Per-leg state carried between frames.
struct LegState: Sendable, Equatable, Codable {
    var largeScale = LinkLargeScaleState()
    var lastAnchor = Vec3.zero
    var lastTarget = Vec3.zero
    var hasPositions = false
    var rng: SeededRandom

    init(rng: SeededRandom) { self.rng = rng }
}

/// A leg as it is this frame.
struct LegNow: Sendable, Equatable, Codable {
    var inRange = false
    var los = false
    var pathLossDb = 0.0
    var distance = 0.0
    /// Unit vector from the anchor to the target.
    var unit = Vec3.zero
    /// Its angles, computed once per leg rather than once per measurement.
    var direction = Direction(azimuth: 0, elevation: 0)
}

/// Azimuth and elevation of a direction, radians.
struct Direction: Sendable, Equatable, Codable {
    var azimuth: Double
    var elevation: Double

    init(azimuth: Double, elevation: Double) {
        self.azimuth = azimuth
        self.elevation = elevation
    }

    init(_ v: Vec3) {
        azimuth = v.azimuth
        elevation = v.elevation
    }
}

/// What stays fixed on a link: powers, gains, noise, bandwidth, carrier, arrays.
struct LinkConstants: Sendable {
    let txAnchor: Int
    let rxAnchor: Int
    let carrier: Double
    let wavelength: Double
    let bandwidth: Double
    let symbolDuration: Double
    let txElements: SIMD2<Int>
    var rxElements: SIMD2<Int>
    var reportsDeparture: Bool
    /// The BS–panel part of a RIS link (`RISSensing`); nil for other links.
    var ris: RISPathConstants? = nil
    /// P_t + G_t + G_r + 10 log10(4π/λ²) − N + G_int: add the RCS (dBsm) and subtract both
    /// legs' path losses to get the echo's post-integration SNR (DOMAIN.md §4).
    let echoConstantDb: Double
    /// P_t + G_t + G_r − N + G_int: subtract the direct path loss for the Type I SNR.
    let directConstantDb: Double
    /// The second band, when transmitter and receiver are base stations with a second band on
    /// the same carrier (monostatic: the BS's own); nil otherwise.
    var band2: SecondBandConstants? = nil
    init(link: SensingLink, world: WorldSpec, sensing: SensingSpec, txAnchor: Int, rxAnchor: Int) {
        self.txAnchor = txAnchor
        self.rxAnchor = rxAnchor
        guard case .baseStation(let i) = link.transmitter else { preconditionFailure("transmitters are base stations") }
        let tx = world.baseStations[i]
        carrier = tx.carrierFrequency
        wavelength = PhysicalConstants.speedOfLight / carrier
        bandwidth = tx.bandwidth
        // OFDM symbol with the normal cyclic prefix (≈ 7 % of the useful symbol).
        symbolDuration = 1.07 / tx.subcarrierSpacing
        txElements = tx.arraySize
        let noiseFigure: Double
        switch link.receiver {
        case .baseStation(let j):
            rxElements = world.baseStations[j].arraySize
            noiseFigure = world.baseStations[j].noiseFigure
        case .ue:
            rxElements = sensing.ueArray
            noiseFigure = sensing.ueNoiseFigureDb
        }
        reportsDeparture = sensing.beamSweep && link.kind != .cellFree
        let gains =
            LinkBudget.arrayGainDb(elements: txElements.x * txElements.y) + LinkBudget.arrayGainDb(elements: rxElements.x * rxElements.y)
        let noise = LinkBudget.noisePowerDbm(bandwidth: bandwidth, noiseFigureDb: noiseFigure)
        let subcarriers = max(1, Int((bandwidth / tx.subcarrierSpacing).rounded(.down)))
        let integration = LinkBudget.coherentIntegrationGainDb(subcarriers: subcarriers, symbols: sensing.symbolsPerFrame)
        directConstantDb = tx.txPower + gains - noise + integration
        echoConstantDb = directConstantDb + 10 * Double.log10(4 * .pi / (wavelength * wavelength))
        if let b = tx.secondBand, case .baseStation(let j) = link.receiver,
            world.baseStations[j].secondBand?.carrierFrequency == b.carrierFrequency
        {
            // Same power, arrays and noise figure; the noise bandwidth, integration gain and
            // wavelength are the second band's.
            let noise2 = LinkBudget.noisePowerDbm(bandwidth: b.bandwidth, noiseFigureDb: noiseFigure)
            let subcarriers2 = max(1, Int((b.bandwidth / b.subcarrierSpacing).rounded(.down)))
            let integration2 = LinkBudget.coherentIntegrationGainDb(subcarriers: subcarriers2, symbols: sensing.symbolsPerFrame)
            let direct2 = tx.txPower + gains - noise2 + integration2
            let wavelength2 = PhysicalConstants.speedOfLight / b.carrierFrequency
            band2 = SecondBandConstants(
                carrier: b.carrierFrequency, wavelength: wavelength2, bandwidth: b.bandwidth,
                symbolDuration: 1.07 / b.subcarrierSpacing, directDeltaDb: direct2 - directConstantDb,
                echoDeltaDb: direct2 + 10 * Double.log10(4 * .pi / (wavelength2 * wavelength2)) - echoConstantDb)
        }
    }
}

/// A link's second band (`secondBand`): what differs from the primary band's constants.
struct SecondBandConstants: Sendable {
    let carrier: Double
    let wavelength: Double
    let bandwidth: Double
    let symbolDuration: Double
    /// Second band's direct-path constant minus the primary's, dB.
    let directDeltaDb: Double
    /// Second band's echo constant minus the primary's, dB.
    let echoDeltaDb: Double

    /// The model's mean path loss at this band's carrier minus that at the primary carrier, for
    /// the same geometry and LOS state (the leg's shadowing is kept as it is), dB.
    func pathLossDeltaDb(model: any PropagationModel, _ a: Vec3, _ b: Vec3, los: Bool, primary: Double) -> Double {
        let g = LinkGeometry(a, b)
        return model.pathLoss(g, carrierFrequency: carrier, los: los).meanDb - model.pathLoss(g, carrierFrequency: primary, los: los).meanDb
    }
}

/// Everything `SensingEngine.observe` changes that carries over to the next frame, so that an
/// engine built afresh from the same world file and mode and given this state by
/// `SensingEngine.restore` produces exactly (bit for bit) the measurements and truth the
/// original would have, frame after frame.
///
/// In it: each leg's (anchor × target) large-scale state — LOS and shadowing Gauss–Markov
/// values, last positions, random stream — and its evaluation of the last frame (reused for
/// legs that are not re-evaluated: base station to background reflector); each mover's RCS
/// process and random stream; each link's random stream; the time of the last frame (for the
/// next frame's Δt); the running statistics.
///
/// Not in it: anything rebuilt from the world file and mode — links, anchors, propagation
/// models, link budgets, clocks, reflectors, static direct paths, the obstacle index — nor the
/// per-frame RCS values (redrawn before use). Restoring therefore needs the same world file
/// and mode (checked as far as counts, random streams and RCS parameters can tell: see
/// `SensingEngine.restore`). Encode it with `CheckpointCoding`.
public struct SensingCheckpoint: Codable, Sendable, Equatable {
    let legs: [LegState]
    let legFrame: [LegNow]
    let rcs: [RCSProcess]
    let rcsRNG: [SeededRandom]
    let linkRNG: [SeededRandom]
    /// Each link's second-band stream (nil in checkpoints written before second bands).
    let bandRNG: [SeededRandom]?
    /// Time of the last observed frame, s; nil before the first.
    let previousTime: Double?
    /// The running statistics so far.
    public let statistics: SensingStatistics
}
