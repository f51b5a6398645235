import Foundation
import TwinLocalization
import TwinMath
import TwinSensing
import TwinTracking
import TwinWorld

/// What the fusion centre made of one frame.
struct FusionOutcome {
    /// The frame's localisations (under edge policies: the operators', in the world frame).
    var localized = LocalizationResult(localizations: [])
    /// What the tracker did to the twin.
    var report = TrackerFrameReport()
    /// The frame's localisation problem failed validation: nothing was localised.
    var invalidProblem = false
    /// Wall time of localisation and of tracking, s.
    var localizeSeconds = 0.0
    var trackSeconds = 0.0
}

/// What the fusion centres carry from frame to frame beyond the twin (resume points).
struct FusionCheckpoint: Codable, Equatable {
    /// Each operator's edge twin (isolated and track-sharing policies), in the operator's frame.
    var edges: [TwinState]
    /// The core's track-to-track association.
    var fusion: TrackFusionState
}

/// The fusion of one frame: localisation and tracking, as one centre or as the operators'
/// centres working together (docs/domain.md §8; world file `cooperation`).
///
/// - No `cooperation` section: one fusion centre over every link (one `LocalizationProblem`, one
///   `MultiTargetTracker`), exactly as before cooperation existed.
/// - `measurement-sharing`: one core centre over every operator's links and the
///   cross-operator pairs. Each operator reports its sites and angles in its own frame; with
///   `calibration` the core registers every operator's frame onto the world frame from the
///   known sites (`FrameTransform.procrustes`: the core holds the surveyed sites in the world
///   frame), turns reported sites and azimuths into the world frame, estimates each operator's
///   clock offset against the reference from the cross-operator Type I paths
///   (`InterOperatorClock`) and removes it from the cross-operator ranges before the usual
///   per-link calibration (`LocalizationProblem`). Without calibration the core takes reported
///   sites and angles as world coordinates and cross-operator ranges as synchronised.
/// - `isolated` / `track-sharing`: one edge centre per operator (its links, its sites and
///   angles in its own frame, its UE reports converted into its frame; its own tracker). The
///   core maps each operator's localisations and tracks into the world frame (the registered
///   frame, or the identity without calibration) and keeps one track per target
///   (`TrackFusion`: the most certain operator track, or their covariance intersection). The
///   frame's localisations are the union of the operators' (in the world frame).
struct FusionCentre {
    enum Layout {
        case single
        case shared
        case edges(TrackFusion.Rule)
    }

    let layout: Layout
    let links: [SensingLink]
    let localizer: any Localizer
    let stations: [(name: String, position: Vec3)]
    let ueReportVariance: Double
    /// Whether the trackers update with raw measurements (their updaters say).
    let raw: Bool
    let cooperation: CooperationSpec?
    let frames: OperatorFrames?
    /// The core's estimate of each operator's frame → world transform (identity without calibration).
    let registered: [FrameTransform]
    /// Sites as the core believes them in the world frame (measurement-sharing).
    let coreSites: [(name: String, position: Vec3)]
    /// Each operator's sites in its own frame (edges).
    let edgeSites: [[(name: String, position: Vec3)]]
    /// Operator of each link (its transmitter's; -1 for a cross-operator link).
    let linkOperator: [Int]
    let clockWindow: Double
    private(set) var trackers: [any Tracker]
    private(set) var fusion: TrackFusion?
    /// The twin the recorder stores: the one tracker's or the core's fused tracks.
    private(set) var twin: TwinState

    /// Each operator's edge twin (its frame) with the core's frame → world transform for it:
    /// what each operator's handover manager schedules from (edges only; empty otherwise).
    var edgeTwins: [(twin: TwinState, toWorld: FrameTransform)] {
        guard case .edges = layout else { return [] }
        return trackers.indices.map { (trackers[$0].state, registered[$0]) }
    }

    /// The twin (core) track operator `k`'s track `trackId` is fused into (edges; nil if none).
    func coreTrack(operator k: Int, trackId: Int) -> Int? {
        fusion?.state.members.first { $0.source == k && $0.trackId == trackId }?.coreId
    }

    init(spec: WorldSpec, links: [SensingLink], trackerSettings: TrackerSettings, twin: TwinState?, checkpoint: FusionCheckpoint?)
        throws
    {
        self.links = links
        guard let localizer = Localizers.make(spec.localizer.name, LocalizerSettings(spec.localizer)) else {
            // Decoding with `Components.catalogue` (every command does) refuses this first.
            throw WorldFileError.invalid(
                file: "the world",
                problems: [WorldFileProblem(key: "localizer.name", expected: Localizers.registry.expectation, found: "'\(spec.localizer.name)'")])
        }
        self.localizer = localizer
        let stations = spec.baseStations.map { (name: $0.name, position: $0.position) }
        self.stations = stations
        let ueSigma = spec.localizer.ueReportSigma ?? spec.ue.gnssSigmaHorizontal
        ueReportVariance = ueSigma * ueSigma
        cooperation = spec.cooperation
        clockWindow = 4 * 299_792_458.0 * spec.sensing.stoMax + 3
        let frames = spec.cooperation.map { _ in OperatorFrames(world: spec) }
        self.frames = frames
        let operatorCount = spec.operators.count
        var registered = [FrameTransform](repeating: .identity, count: operatorCount)
        var coreSites = stations
        var edgeSites: [[(name: String, position: Vec3)]] = []
        var linkOperator: [Int] = []
        if let frames, let cooperation = spec.cooperation {
            let reported = stations.indices.map { frames.reportedSite($0, world: stations[$0].position) }
            if cooperation.frameCalibration {
                for k in 0..<operatorCount {
                    let mine = stations.indices.filter { frames.operatorOfStation[$0] == k }
                    registered[k] =
                        FrameTransform.procrustes(from: mine.map { reported[$0] }, to: mine.map { stations[$0].position }) ?? .identity
                }
            }
            coreSites = stations.indices.map {
                (name: stations[$0].name, position: registered[frames.operatorOfStation[$0]].apply(reported[$0]))
            }
            edgeSites = (0..<operatorCount).map { k in
                let toFrame = frames.toWorld[k].inverse
                return stations.map { (name: $0.name, position: toFrame.apply($0.position)) }
            }
            linkOperator = links.map { link in
                guard case .baseStation(let i) = link.transmitter else { return -1 }
                let a = frames.operatorOfStation[i]
                if case .baseStation(let j) = link.receiver, frames.operatorOfStation[j] != a { return -1 }
                return a
            }
        }
        (self.registered, self.coreSites, self.edgeSites, self.linkOperator) = (registered, coreSites, edgeSites, linkOperator)
        switch spec.cooperation?.policy {
        case nil: layout = .single
        case .measurementSharing?: layout = .shared
        case .isolated?: layout = .edges(.best)
        case .trackSharing?: layout = .edges(.covarianceIntersection)
        }
        switch layout {
        case .single, .shared:
            trackers = [try Trackers.make(trackerSettings, state: twin ?? TwinState())]
            raw = trackers[0].usesRawMeasurements
            fusion = nil
            self.twin = trackers[0].state
        case .edges(let rule):
            let edges = checkpoint?.edges ?? [TwinState](repeating: TwinState(), count: operatorCount)
            guard edges.count == operatorCount else {
                throw CheckpointMismatch(
                    subject: "fusion", problems: ["\(edges.count) operator twins for \(operatorCount) operators"])
            }
            trackers = try edges.map { try Trackers.make(trackerSettings, state: $0) }
            raw = trackers.first?.usesRawMeasurements ?? false
            fusion = TrackFusion(rule: rule, gate: spec.cooperation!.associationGate, state: checkpoint?.fusion ?? TrackFusionState())
            self.twin = twin ?? TwinState()
        }
    }

    /// The state beyond `twin` a resume point needs (nil with a single tracker).
    var checkpoint: FusionCheckpoint? {
        guard let fusion else { return nil }
        return FusionCheckpoint(edges: trackers.map(\.state), fusion: fusion.state)
    }

    /// Localises and tracks one frame from its observations alone (no truth enters the
    /// fusion centre: `RunScoring` scores the outcome afterwards). `stored`: the recorded
    /// localisations to reuse (single centre only; replay of a tracker change).
    mutating func step(_ observations: FrameObservations, stored: LocalizationResult? = nil, frameIndex: Int, time: Double)
        -> FusionOutcome
    {
        let clock = ContinuousClock()
        switch layout {
        case .single, .shared:
            var outcome = FusionOutcome()
            let start = clock.now
            let problem: LocalizationProblem?
            if let stored {
                (outcome.localized, problem) = (stored, nil)
            } else {
                let p =
                    if case .shared = layout {
                        sharedProblem(observations)
                    } else {
                        LocalizationProblem(frame: observations, links: links, baseStations: stations, ueReportVariance: ueReportVariance)
                    }
                let solved = solve(p)
                (outcome.localized, outcome.invalidProblem) = (solved ?? LocalizationResult(localizations: []), solved == nil)
                problem = solved == nil ? nil : p
                outcome.localizeSeconds = Simulation.seconds(clock.now - start)
            }
            let trackStart = clock.now
            outcome.report = trackers[0].update(
                frameIndex: frameIndex, time: time,
                detections: DetectionBuilder.detections(outcome.localized, problem: problem, raw: raw))
            outcome.trackSeconds = Simulation.seconds(clock.now - trackStart)
            twin = trackers[0].state
            return outcome
        case .edges:
            var all = LocalizationResult(localizations: [])
            var sources: [SourceTrack] = []
            var (rejected, failures) = (0, 0)
            var localizeSeconds = 0.0
            let trackStart = clock.now
            for k in trackers.indices {
                let start = clock.now
                let p = edgeProblem(observations, operator: k)
                let result = solve(p) ?? LocalizationResult(localizations: [])
                localizeSeconds += Simulation.seconds(clock.now - start)
                let report = trackers[k].update(
                    frameIndex: frameIndex, time: time, detections: DetectionBuilder.detections(result, problem: p, raw: raw))
                rejected += report.rejected
                failures += report.numericalFailures
                let t = registered[k]
                for var l in result.localizations {
                    l.position = t.apply(l.position)
                    l.covariance = t.rotate(l.covariance)
                    all.localizations.append(l)
                }
                all.rejected += result.rejected
                for track in trackers[k].state.confirmedTracks {
                    sources.append(SourceTrack(source: k, track: track, state: track.state(in: t)))
                }
            }
            let fused = fusion!.fuse(
                frameIndex: frameIndex, time: time, tracks: sources,
                rejectedDetections: trackers.reduce(0) { $0 + $1.state.rejectedDetections })
            twin = fused.twin
            var outcome = FusionOutcome()
            outcome.localized = all
            outcome.report = TrackerFrameReport(
                rejected: rejected, born: fused.born, confirmed: fused.born, deleted: fused.deleted, numericalFailures: failures)
            outcome.localizeSeconds = localizeSeconds
            outcome.trackSeconds = Simulation.seconds(clock.now - trackStart) - localizeSeconds
            return outcome
        }
    }

    /// Runs the localiser on a problem; non-finite answers are dropped and counted. Nil when
    /// the problem fails validation (it cannot, from the simulator; counted if it ever does),
    /// so a bad frame never stops the run or reaches the recording as NaN.
    func solve(_ problem: LocalizationProblem) -> LocalizationResult? {
        do {
            let result = try localizer.localize(problem)
            return LocalizationResult(
                localizations: result.localizations.filter(\.isFinite),
                rejected: result.rejected + result.localizations.count(where: { !$0.isFinite }))
        } catch {
            return nil
        }
    }

    /// The core's problem under measurement sharing (see the type's description).
    func sharedProblem(_ observations: FrameObservations) -> LocalizationProblem {
        guard let frames, let cooperation else {
            return LocalizationProblem(frame: observations, links: links, baseStations: stations, ueReportVariance: ueReportVariance)
        }
        var frame = observations
        // Azimuths back into the world frame as the core believes it.
        for k in frame.measurements.indices {
            let link = links[frame.measurements[k].linkId]
            if case .baseStation(let j) = link.receiver, let az = frame.measurements[k].aoaAzimuth {
                frame.measurements[k].aoaAzimuth = wrapAngle(az + registered[frames.operatorOfStation[j]].rotation)
            }
            if case .baseStation(let i) = link.transmitter, let az = frame.measurements[k].aodAzimuth {
                frame.measurements[k].aodAzimuth = wrapAngle(az + registered[frames.operatorOfStation[i]].rotation)
            }
        }
        guard cooperation.clockCalibration else {
            return LocalizationProblem(
                frame: frame, links: links, baseStations: coreSites, ueReportVariance: ueReportVariance,
                synchronised: { linkOperator[$0] < 0 })
        }
        let offsets = InterOperatorClock.estimate(
            frame, links: links, sites: coreSites.map(\.position), operatorOfStation: frames.operatorOfStation,
            operatorCount: registered.count, reference: cooperation.reference, window: clockWindow)
        for k in frame.measurements.indices where linkOperator[frame.measurements[k].linkId] < 0 {
            let link = links[frame.measurements[k].linkId]
            guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver,
                let tx = offsets[frames.operatorOfStation[i]], let rx = offsets[frames.operatorOfStation[j]]
            else { continue }
            frame.measurements[k].range -= rx - tx
        }
        return LocalizationProblem(frame: frame, links: links, baseStations: coreSites, ueReportVariance: ueReportVariance)
    }

    /// Operator `k`'s edge problem: its links, its sites in its own frame, UE reports converted
    /// into its frame — positions and the arrival azimuths UEs measure (world frame, as
    /// `OperatorFrames` leaves them) lose operator k's rotation like its BS arrays' do.
    func edgeProblem(_ observations: FrameObservations, operator k: Int) -> LocalizationProblem {
        var frame = observations
        frame.measurements = observations.measurements.filter { linkOperator[$0.linkId] == k }
        if let frames {
            let toFrame = frames.toWorld[k].inverse
            for u in frame.ueAnchors.indices { frame.ueAnchors[u].reportedPosition = toFrame.apply(frame.ueAnchors[u].reportedPosition) }
            let theta = frames.toWorld[k].rotation
            for j in frame.measurements.indices {
                guard case .ue = links[frame.measurements[j].linkId].receiver, let az = frame.measurements[j].aoaAzimuth else { continue }
                frame.measurements[j].aoaAzimuth = wrapAngle(az - theta)
            }
        }
        return LocalizationProblem(frame: frame, links: links, baseStations: edgeSites[k], ueReportVariance: ueReportVariance)
    }
}
