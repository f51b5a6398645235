import Foundation
import RealModule
import TwinMath
import TwinRadio
import TwinWorld

/// Turns the true world of each frame into unlabeled measurements (docs/architecture.md,
/// "Sensing along the physics"; docs/domain.md §2–6):
///
///     SensingFrame ─▶ ChannelModel.advance (legs: LOS, path loss; RCS)
///     for each link:  PathEnumerator (geometric paths: direct, one per target)
///                     ─▶ ChannelModel.paths (power; multipath components)
///                     ─▶ MeasurementModel (detection, estimation errors, false alarms)
///     ─▶ FrameOutput (shuffled per link) ─▶ FrameObservations + ObservationTruth
///
/// The channel model is the world's `sensing.channel` (`ChannelModels`), the measurement
/// model of each link its class's `sensing.fidelity` (`MeasurementModels`). Cell-free
/// attribution, second bands and RIS panels are not branches here: a RIS panel is an anchor
/// of the layout and an array of `FrameOutput.report`, attribution and the second band are
/// steps of that report.
///
/// Randomness: each link, leg and target draws from its own substream of `sensing` under the
/// run's seed, in a fixed order (the channel's draws interleave with the measurement's on the
/// link's stream, path by path), so runs are reproducible and a new mover leaves the others'
/// draws alone.
public struct SensingEngine: Sendable {
    public let spec: SensingSpec
    public var links: [SensingLink] { perLink.layout.links }
    public var baseStations: [BaseStationSpec] { layout.baseStations }
    /// Static background reflectors (positions), if any.
    public var reflectors: [Vec3] { layout.reflectors }
    public private(set) var statistics = SensingStatistics()

    var layout: SensingLayout { perLink.layout }
    private(set) var channel: any ChannelModel
    /// Everything per link: the enumerator, the measurement models and the links' streams.
    private var perLink: LinkSensing
    /// With a `cooperation` section: each BS reports angles in its operator's frame.
    private let operatorFrames: OperatorFrames?

    /// Builds the sensing chain of a world. `mode` overrides the world file's. Traps if the
    /// world names a channel or measurement model that is not registered: a programming error,
    /// since decoding with TwinEngine's `Components.catalogue` (as every command does)
    /// refuses such names with their line first.
    public init(world: WorldSpec, movers: [MoverInfo], mode: SensingMode? = nil) {
        var spec = world.sensing
        if let mode { spec.mode = mode }
        self.spec = spec
        let layout = SensingLayout(world: world, movers: movers, spec: spec)
        guard let makeChannel = ChannelModels.registry.factory(spec.channel) else {
            preconditionFailure("no channel model named '\(spec.channel)' (\(ChannelModels.registry.expectation))")
        }
        channel = makeChannel(ChannelSetup(world: world, movers: movers, layout: layout))
        perLink = LinkSensing(world: world, layout: layout)
        operatorFrames = world.cooperation.map { _ in OperatorFrames(world: world) }
    }

    /// Measurements of one frame, and their truth labels (kept apart: only the first goes on
    /// to localisation). With a `schedule`, echoes of movers come only from the beams it lists
    /// (handover).
    public mutating func observe(_ snapshot: WorldSnapshot, schedule: SensingSchedule? = nil) -> (FrameObservations, ObservationTruth) {
        let frame = SensingFrame(snapshot: snapshot, layout: layout)
        let illuminated = schedule?.mask(baseStations: layout.baseStations.count, movers: snapshot.movers.map(\.position))
        var output = FrameOutput(statistics: statistics)
        output.measurements.reserveCapacity(statistics.lastFrameMeasurements + 16)
        output.labels.reserveCapacity(statistics.lastFrameMeasurements + 16)
        channel.advance(to: frame)
        perLink.sense(frame, illuminated: illuminated, channel: channel, into: &output)
        statistics = output.statistics
        statistics.add(output.counts, measurements: output.measurements.count)
        var measurements = output.measurements
        operatorFrames?.report(&measurements, links: layout.links)
        let anchors = snapshot.ues.enumerated().compactMap { id, report in
            report.map { UEAnchor(moverId: id, reportedPosition: $0.reportedPosition) }
        }
        return (
            FrameObservations(frameIndex: snapshot.frameIndex, time: snapshot.time, measurements: measurements, ueAnchors: anchors),
            ObservationTruth(labels: output.labels)
        )
    }

    // MARK: - Checkpoint

    /// The state `observe` changes, to persist and later `restore` into an engine built afresh
    /// from the same world file and mode (see `SensingCheckpoint` for what is and is not in it).
    public func checkpoint() -> SensingCheckpoint {
        SensingCheckpoint(
            channel: channelState(), linkRNG: perLink.linkRNG,
            bandRNG: perLink.bandRNG, statistics: statistics)
    }

    /// The channel model's state as JSON text. Encoding plain values with `CheckpointCoding`
    /// (non-finite numbers written as strings) cannot fail; if it ever did, that is a bug.
    private func channelState() -> String {
        do {
            return String(decoding: try channel.checkpoint(), as: UTF8.self)
        } catch {
            preconditionFailure("the channel model's state could not be encoded: \(error)")
        }
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
        checkStreams("links", checkpoint.linkRNG, perLink.linkRNG, into: &problems)
        if let theirs = checkpoint.bandRNG { checkStreams("links' second bands", theirs, perLink.bandRNG, into: &problems) }
        var restored = channel
        do {
            try restored.restore(Data(checkpoint.channel.utf8))
        } catch let mismatch as CheckpointMismatch {
            problems += mismatch.problems
        } catch {
            problems.append("the channel model's state cannot be read: \(error)")
        }
        guard problems.isEmpty else { throw CheckpointMismatch(subject: "sensing", problems: problems) }
        channel = restored
        perLink.linkRNG = checkpoint.linkRNG
        if let theirs = checkpoint.bandRNG { perLink.bandRNG = theirs }
        statistics = checkpoint.statistics
    }
}

/// The per-link half of the engine: for each link, its geometric paths, their channel
/// components and their measurement, on the link's own random streams.
struct LinkSensing: Sendable {
    let layout: SensingLayout
    let enumerator: PathEnumerator
    /// The measurement models in use, and the one of each link.
    let measurement: [any MeasurementModel]
    let linkMeasurement: [Int]
    var linkRNG: [SeededRandom]
    /// Each link's stream for its second band's draws (`link/…/band2`), apart from `linkRNG` so
    /// that worlds without second bands draw exactly as before.
    var bandRNG: [SeededRandom]

    init(world: WorldSpec, layout: SensingLayout) {
        self.layout = layout
        enumerator = PathEnumerator(layout: layout)
        let spec = layout.spec
        var names: [String] = []
        var index: [Int] = []
        for link in layout.links {
            let name = spec.fidelity.fidelity(linkClass: link.kind.rawValue) ?? SensingFidelity.abstract.rawValue  // RIS links: abstract
            if let k = names.firstIndex(of: name) {
                index.append(k)
            } else {
                index.append(names.count)
                names.append(name)
            }
        }
        linkMeasurement = index
        measurement = names.enumerated().map { k, name in
            guard let make = MeasurementModels.registry.factory(name) else {
                preconditionFailure("no measurement model named '\(name)' (\(MeasurementModels.registry.expectation))")
            }
            let mine = layout.links.filter { index[$0.id] == k }
            return make(MeasurementSetup(world: world, spec: spec, layout: layout, links: mine))
        }
        // A RIS link's stream is named after its panel too (its BS's own link has the same ends).
        func streamName(_ link: SensingLink) -> String {
            "link/\(link.transmitter)->\(link.receiver)" + (link.panel.map { "/ris:\($0.name)" } ?? "")
        }
        linkRNG = layout.links.map { layout.root.substream(streamName($0)) }
        bandRNG = layout.links.map { layout.root.substream(streamName($0) + "/band2") }
    }

    /// Every link of one frame (the channel advanced to it), into `output`.
    mutating func sense(_ frame: SensingFrame, illuminated: [Bool]?, channel: any ChannelModel, into output: inout FrameOutput) {
        // The built-in model takes a copy of the loop specialised for it (about a fifth fewer
        // instructions than the generic one); any other model runs the generic loop.
        if let radar = channel as? RadarEquationChannel {
            sense(frame, illuminated: illuminated, opened: radar, into: &output)
        } else {
            sense(frame, illuminated: illuminated, opened: channel, into: &output)
        }
    }

    /// The same with the channel model opened (static dispatch for the per-path calls).
    private mutating func sense<Channel: ChannelModel>(
        _ frame: SensingFrame, illuminated: [Bool]?, opened channel: Channel, into output: inout FrameOutput
    ) {
        let layout = self.layout, enumerator = self.enumerator, legs = channel.legs
        guard let first = layout.links.first else { return }
        // The frame's output moves into the sink for the links and back (swaps, no copies).
        var sink = MeasurementSink(
            model: measurement[0], context: self.context(first, frame), rng2: bandRNG[0], output: FrameOutput(statistics: output.statistics))
        swap(&sink.output, &output)
        defer { swap(&sink.output, &output) }
        for link in layout.links {
            let context = self.context(link, frame)
            sink.context = context
            sink.model = measurement[linkMeasurement[link.id]]
            sink.rng2 = bandRNG[link.id]
            var rng = linkRNG[link.id]
            let blockStart = sink.output.measurements.count
            sink.model.begin(context)
            if let direct = enumerator.directPath(context, layout: layout) {
                channel.paths(of: direct, on: context, rng: &rng, into: &sink)
            }
            for t in 0..<layout.targetCount {
                guard
                    let path = enumerator.targetPath(
                        t, on: context, frame: frame, legs: legs, illuminated: illuminated, counts: &sink.output.counts)
                else { continue }
                channel.paths(of: path, on: context, rng: &rng, into: &sink)
            }
            sink.model.end(context, rng: &rng, band2RNG: &sink.rng2, into: &sink.output)
            sink.output.shuffle(from: blockStart, rng: &rng)
            linkRNG[link.id] = rng
            if context.band2 != nil { bandRNG[link.id] = sink.rng2 }
        }
    }

    /// Link `link` as it is this frame.
    private func context(_ link: SensingLink, _ frame: SensingFrame) -> LinkContext {
        let c = layout.constants[link.id]
        let rxClock = layout.clock(link.receiver, frame.snapshot)
        let txClock = layout.clock(link.transmitter, frame.snapshot)
        let rxDrift: Double = if case .ue(let m) = link.receiver { frame.snapshot.ues[m]?.clockDrift ?? 0 } else { 0 }
        let measuresBand2 = c.ris == nil && measurement[linkMeasurement[link.id]].measuresSecondBand
        return LinkContext(
            link: link, transmitterPosition: frame.anchorPosition(c.txAnchor), receiverPosition: frame.anchorPosition(c.rxAnchor),
            receiverVelocity: frame.anchorVelocity(c.rxAnchor),
            offsetRange: link.isMonostatic ? 0 : PhysicalConstants.speedOfLight * (rxClock - txClock),
            offsetRate: PhysicalConstants.speedOfLight * rxDrift, constants: c, band2: measuresBand2 ? c.band2 : nil)
    }
}

extension FrameOutput {
    /// Shuffles the block of one link (measurements and labels alike): the order of
    /// generation — direct path, targets by id, reflectors, clutter — must not give the
    /// association away.
    mutating func shuffle(from blockStart: Int, rng: inout SeededRandom) {
        var k = measurements.count - 1
        while k > blockStart {
            let j = blockStart + rng.index(below: k - blockStart + 1)
            measurements.swapAt(k, j)
            labels.swapAt(k, j)
            k -= 1
        }
    }
}

/// The engine's measurement step as a channel's sink: the link's measurement model, its
/// context and second-band stream, and the frame's output.
struct MeasurementSink: ChannelPathSink {
    var model: any MeasurementModel
    var context: LinkContext
    var rng2: SeededRandom
    var output: FrameOutput

    @inline(__always)
    mutating func receive(_ path: inout ChannelPath, rng: inout SeededRandom) {
        model.observe(&path, on: context, rng: &rng, band2RNG: &rng2, into: &output)
    }
}

/// Everything `SensingEngine.observe` changes that carries over to the next frame, so that an
/// engine built afresh from the same world file and mode and given this state by
/// `SensingEngine.restore` produces exactly (bit for bit) the measurements and truth the
/// original would have, frame after frame.
///
/// In it: the channel model's state (for `radar-equation`: each leg's large-scale state — LOS
/// and shadowing Gauss–Markov values, last positions, random stream — and its evaluation of the
/// last frame, each mover's RCS process and random stream, the time of the last frame), as the
/// model's own JSON; each link's random streams; the running statistics.
///
/// Not in it: anything rebuilt from the world file and mode — links, anchors, propagation
/// models, link budgets, clocks, reflectors, static direct paths, the obstacle index — nor the
/// per-frame RCS values (redrawn before use). Restoring therefore needs the same world file
/// and mode (checked as far as counts, random streams and RCS parameters can tell: see
/// `SensingEngine.restore`). Encode it with `CheckpointCoding`.
public struct SensingCheckpoint: Codable, Sendable, Equatable {
    /// The channel model's state (`ChannelModel.checkpoint`), JSON text.
    let channel: String
    let linkRNG: [SeededRandom]
    /// Each link's second-band stream (nil in checkpoints written before second bands).
    let bandRNG: [SeededRandom]?
    /// The running statistics so far.
    public let statistics: SensingStatistics
}
