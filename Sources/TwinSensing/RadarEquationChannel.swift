import Foundation
import TwinMath
import TwinRadio
import TwinWorld

/// The channel model `radar-equation` (docs/domain.md §4): every target a point scatterer,
/// every path's power the bistatic radar equation on the legs' TR 38.901 path losses.
///
/// - **Legs** (`LegTable`): line of sight from the obstacle index and/or the 38.901 LOS
///   probability with spatially consistent draws, path loss of the anchor's scenario with
///   spatially consistent shadowing. Between two fixed base stations the direct path's LOS
///   state is one draw for the whole run (stream `direct/A->B`).
/// - **RCS**: each mover's RCS follows a Gauss–Markov process in dB around its class mean
///   (TwinRadio `RCSModel`, correlation time `sensing.rcsCorrelationTime`); background
///   reflectors have `sensing.backgroundRCSDbsm`.
/// - **Type I** (direct): SNR = P_t + G_t + G_r − N + G_int − PL_LOS(d) (mean path loss).
/// - **Type II** (target, both legs in LOS): SNR = P_t + G_t + G_r + 10·lg(4π/λ²) − N +
///   G_int + σ − PL_tx − PL_rx; through a RIS panel the cascade of `RISSensing`.
/// - **Type III** (per mover, link and frame with probability `nlosProbability`, whatever the
///   LOS state): via a scatterer near the target, longer by an exponential excess of mean
///   `nlosExcessMean`, weaker by `nlosExtraLossDb`, arriving from the target's direction
///   spread by 10° (1σ) in azimuth.
/// - **Second band** (`secondBand`): the same geometry, shadowing and LOS state, with the
///   mean path-loss difference between the carriers and the band's own link budget.
struct RadarEquationChannel: ChannelModel {
    static let modelName = "radar-equation"
    var name: String { Self.modelName }

    let layout: SensingLayout
    private(set) var legs: LegTable
    private var rcs: [RCSProcess]
    private var rcsRNG: [SeededRandom]
    /// This frame's RCS of each mover, dBsm (set in `advance`, so not in the checkpoint).
    private var rcsNow: [Double]
    private var previousTime: Double?
    /// Direct paths between two base stations: (LOS for the run, SNR); nil for other links.
    private let staticDirect: [(los: Bool, snrDb: Double)?]

    init(_ setup: ChannelSetup) {
        let layout = setup.layout
        self.layout = layout
        legs = LegTable(layout: layout)
        let parameters = setup.movers.map { RCSModel.parameters(for: $0.moverClass, uavSize: $0.uavSize) }
        rcs = parameters.map {
            RCSProcess(meanDbsm: $0.meanDbsm, spreadDb: $0.spreadDb, correlationTime: layout.spec.rcsCorrelationTime)
        }
        rcsRNG = setup.movers.map { layout.root.substream("rcs/\($0.name)") }
        rcsNow = parameters.map(\.meanDbsm)
        staticDirect = layout.links.map { link in
            guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver, i != j else { return nil }
            let a = layout.baseStations[i].position, b = layout.baseStations[j].position
            let c = layout.constants[link.id]
            var draw = layout.root.substream("direct/\(layout.baseStations[i].name)->\(layout.baseStations[j].name)")
            let los = !(layout.useStochastic && draw.uniform() >= layout.anchorModels[i].losProbability(LinkGeometry(a, b)))
            return (los, Self.directSNRDb(a, b, constants: c, model: layout.anchorModels[c.txAnchor]))
        }
    }

    static func directSNRDb(_ tx: Vec3, _ rx: Vec3, constants c: LinkConstants, model: any PropagationModel) -> Double {
        c.directConstantDb - model.pathLoss(LinkGeometry(tx, rx), carrierFrequency: c.carrier, los: true).meanDb
    }

    mutating func advance(to frame: SensingFrame) {
        let dt = previousTime.map { frame.snapshot.time - $0 } ?? 0
        previousTime = frame.snapshot.time
        for m in rcs.indices { rcsNow[m] = rcs[m].next(dt: dt, rng: &rcsRNG[m]) }
        legs.update(frame, layout: layout)
    }

    func paths<Sink: ChannelPathSink>(of path: GeometricPath, on link: LinkContext, rng: inout SeededRandom, into sink: inout Sink) {
        let c = link.constants
        let transmitter = link.link.transmitter
        guard case .mover = path.source else {
            if case .direct = path.source { direct(path, on: link, rng: &rng, into: &sink) } else { background(path, on: link, rng: &rng, into: &sink) }
            return
        }
        let t = path.target
        guard let snrDb = echoSNRDb(rcsDbsm: rcsNow[t], path, constants: c) else { return }
        let snr2Db = secondBandSNR(snrDb, path, on: link)
        if path.lineOfSight {
            var echo = ChannelPath(
                truth: MeasurementTruth(
                    pathType: .target, moverId: t, reflector: nil, transmitter: transmitter,
                    trueRange: path.length + link.offsetRange),
                snrDb: snrDb, snr2Db: snr2Db, arrival: path.rxLeg.direction, departure: path.txLeg.direction, rate: path.rate)
            sink.receive(&echo, rng: &rng)
        }
        // Type III: via a scatterer near the target, longer and weaker; its angles point
        // towards the scatterer (the target's direction spread by 10°, 1σ).
        let nlos = layout.spec.nlosProbability
        if nlos > 0 && rng.bernoulli(nlos) {
            let excess = rng.exponential(rate: 1 / layout.spec.nlosExcessMean)
            let extraLoss = layout.spec.nlosExtraLossDb
            var scattered = ChannelPath(
                truth: MeasurementTruth(
                    pathType: .nlos, moverId: t, reflector: nil, transmitter: transmitter,
                    trueRange: path.length + excess + link.offsetRange),
                snrDb: snrDb - extraLoss, snr2Db: snr2Db.map { $0 - extraLoss },
                arrival: path.rxLeg.direction, departure: path.txLeg.direction, rate: path.rate,
                arrivalSpread: 10.0 * .pi / 180)
            sink.receive(&scattered, rng: &rng)
        }
    }

    /// The radar equation of an echo off a point of `rcsDbsm` on the path's legs; through a RIS
    /// panel the cascade (nil outside the panel's field of view).
    private func echoSNRDb(rcsDbsm: Double, _ path: GeometricPath, constants c: LinkConstants) -> Double? {
        guard c.ris != nil else {
            return c.echoSNRDb(rcsDbsm: rcsDbsm, txPathLossDb: path.txLeg.pathLossDb, rxPathLossDb: path.rxLeg.pathLossDb)
        }
        return RISSensing.snrDb(constants: c, rcsDbsm: rcsDbsm, risTargetLossDb: path.txLeg.pathLossDb, offset: path.txLeg.unit)
    }

    /// A background reflector's echo (both legs in LOS): a point of `backgroundRCSDbsm`.
    private func background<Sink: ChannelPathSink>(_ path: GeometricPath, on link: LinkContext, rng: inout SeededRandom, into sink: inout Sink) {
        guard case .reflector(let r) = path.source else { return }
        guard let snrDb = echoSNRDb(rcsDbsm: layout.spec.backgroundRCSDbsm, path, constants: link.constants), path.lineOfSight
        else { return }
        var echo = ChannelPath(
            truth: MeasurementTruth(
                pathType: .background, moverId: nil, reflector: r, transmitter: link.link.transmitter,
                trueRange: path.length + link.offsetRange),
            snrDb: snrDb, snr2Db: secondBandSNR(snrDb, path, on: link), arrival: path.rxLeg.direction,
            departure: path.txLeg.direction, rate: path.rate)
        sink.receive(&echo, rng: &rng)
    }

    /// The Type I path: the mean LOS path loss (a base-station pair's LOS state and SNR were
    /// decided once).
    private func direct<Sink: ChannelPathSink>(_ path: GeometricPath, on link: LinkContext, rng: inout SeededRandom, into sink: inout Sink) {
        let c = link.constants
        let snrDb: Double
        if let fixed = staticDirect[link.link.id] {
            guard fixed.los else { return }
            snrDb = fixed.snrDb
        } else {
            snrDb = Self.directSNRDb(link.transmitterPosition, link.receiverPosition, constants: c, model: layout.anchorModels[c.txAnchor])
        }
        let snr2Db = link.band2.map { b in
            snrDb + b.directDeltaDb
                - b.pathLossDeltaDb(
                    model: layout.anchorModels[c.txAnchor], link.transmitterPosition, link.receiverPosition, los: true,
                    primary: c.carrier)
        }
        var p = ChannelPath(
            truth: MeasurementTruth(
                pathType: .direct, moverId: nil, reflector: nil, transmitter: link.link.transmitter,
                trueRange: path.length + link.offsetRange),
            snrDb: snrDb, snr2Db: snr2Db, arrival: path.arrival, departure: path.departure, rate: path.rate)
        sink.receive(&p, rng: &rng)
    }

    /// The second band's SNR of an echo (nil without one): the same geometry, shadowing and
    /// LOS state as the leg (drawn at the primary carrier), with the model's mean path-loss
    /// difference between the carriers.
    private func secondBandSNR(_ snrDb: Double, _ path: GeometricPath, on link: LinkContext) -> Double? {
        guard let b = link.band2 else { return nil }
        let c = link.constants
        let p = path.targetPosition
        let dTx = b.pathLossDeltaDb(
            model: layout.anchorModels[c.txAnchor], link.transmitterPosition, p, los: path.txLeg.los, primary: c.carrier)
        let dRx =
            link.link.isMonostatic
            ? dTx
            : b.pathLossDeltaDb(model: layout.anchorModels[c.rxAnchor], link.receiverPosition, p, los: path.rxLeg.los, primary: c.carrier)
        return snrDb + b.echoDeltaDb - dTx - dRx
    }

    // MARK: - Checkpoint

    /// What `advance` changes (see `SensingCheckpoint`).
    struct State: Codable, Equatable {
        var legs: [LegState]
        var legFrame: [LegNow]
        var rcs: [RCSProcess]
        var rcsRNG: [SeededRandom]
        var previousTime: Double?
    }

    var state: State { State(legs: legs.states, legFrame: legs.now, rcs: rcs, rcsRNG: rcsRNG, previousTime: previousTime) }

    func checkpoint() throws -> Data { try CheckpointCoding.encode(state) }

    mutating func restore(_ data: Data) throws {
        let theirs = try CheckpointCoding.decode(State.self, from: data)
        var problems: [String] = []
        checkStreams("leg states (anchors × targets)", theirs.legs.map(\.rng), legs.states.map(\.rng), into: &problems)
        if theirs.legFrame.count != legs.now.count {
            problems.append("legs this frame: the checkpoint has \(theirs.legFrame.count), this engine has \(legs.now.count)")
        }
        checkStreams("mover RCS streams", theirs.rcsRNG, rcsRNG, into: &problems)
        if theirs.rcs.count != rcs.count {
            problems.append("mover RCS processes: the checkpoint has \(theirs.rcs.count), this engine has \(rcs.count)")
        } else if let m = rcs.indices.first(where: {
            let (a, b) = (theirs.rcs[$0], rcs[$0])
            return a.meanDbsm != b.meanDbsm || a.spreadDb != b.spreadDb || a.correlationTime != b.correlationTime
        }) {
            problems.append("mover \(m): RCS parameters differ (another class or rcsCorrelationTime)")
        }
        if let t = theirs.previousTime, !t.isFinite { problems.append("previous frame time \(t) s: not a time") }
        guard problems.isEmpty else { throw CheckpointMismatch(subject: "sensing", problems: problems) }
        (legs.states, legs.now, rcs, rcsRNG, previousTime) = (theirs.legs, theirs.legFrame, theirs.rcs, theirs.rcsRNG, theirs.previousTime)
    }
}

/// Compares two lists of random streams by count and key (another seed, mode, mover or base
/// station gives other keys).
func checkStreams(_ what: String, _ theirs: [SeededRandom], _ ours: [SeededRandom], into problems: inout [String]) {
    if theirs.count != ours.count {
        problems.append("\(what): the checkpoint has \(theirs.count), this engine has \(ours.count)")
    } else if let k = theirs.indices.first(where: { theirs[$0].key != ours[$0].key }) {
        problems.append("\(what) \(k): random stream of another seed, mode, mover or base station")
    }
}
