import RealModule
import TwinMath

/// The tracking stage's boundary: detections of one frame in, the twin out. All of a
/// tracker's memory is its `state`, so a tracker rebuilt from a persisted `TwinState` (by its
/// registered factory, `Trackers`) continues bit for bit.
public protocol Tracker: Sendable {
    /// The twin after the last frame.
    var state: TwinState { get }
    /// Whether detections should carry the raw measurements behind each localisation.
    var usesRawMeasurements: Bool { get }
    /// Advances the twin to `time` with the frame's detections.
    mutating func update(frameIndex: Int, time: Double, detections: [Detection]) -> TrackerFrameReport
}

/// What one frame did to the twin.
public struct TrackerFrameReport: Sendable, Equatable {
    /// Detections refused (NaN, non-positive-definite covariance).
    public var rejected = 0
    /// Per detection: the id of the track it updated or started (JPDA: the track with the
    /// largest association probability above 0.5), nil if none.
    public var detectionTracks: [Int?] = []
    /// Tracks started (tentative) this frame.
    public var born: [Int] = []
    /// Tracks confirmed this frame.
    public var confirmed: [Int] = []
    /// Confirmed tracks deleted this frame (lost); tentative tracks that die are not listed.
    public var deleted: [Int] = []
    /// Tracks dropped because their filter became non-finite or lost positive definiteness
    /// (should never happen; counted so that it cannot pass unnoticed).
    public var numericalFailures = 0

    /// An empty report: nothing refused, born, confirmed or deleted.
    public init() {}
}

/// The multi-target tracker composed of its roles (docs/architecture.md, "Swap points"): each
/// frame it refuses invalid detections, predicts every track (`Predictor`), gates and
/// associates (`Associator`: GNN or JPDA per cluster), updates (`Updater`), manages track life
/// — tentative tracks by the `Initiator`'s M-of-N review, confirmed ones coasting when missed
/// and ended by the `Deleter` — and starts tracks at the unassociated detections
/// (docs/domain.md §9). Track ids are never reused.
public struct MultiTargetTracker: Tracker {
    // The roles; a registered tracker may take a built-in composition and replace one.
    public var predictor: any Predictor
    public var updater: any Updater
    public var associator: any Associator
    public var initiator: any Initiator
    public var deleter: any Deleter
    public private(set) var state: TwinState

    public init(
        predictor: any Predictor, updater: any Updater, associator: any Associator, initiator: any Initiator, deleter: any Deleter,
        state: TwinState = TwinState()
    ) {
        (self.predictor, self.updater, self.associator, self.initiator, self.deleter) = (predictor, updater, associator, initiator, deleter)
        self.state = state
    }

    public var usesRawMeasurements: Bool { updater.usesRawMeasurements }

    public mutating func update(frameIndex: Int, time: Double, detections input: [Detection]) -> TrackerFrameReport {
        var report = TrackerFrameReport()
        report.detectionTracks = [Int?](repeating: nil, count: input.count)
        // 1. Refuse what must never reach the twin.
        let raw = updater.usesRawMeasurements
        var valid: [Int] = []
        valid.reserveCapacity(input.count)
        for (i, d) in input.enumerated() {
            if d.isValid && (!raw || d.raw.allSatisfy(\.isValid)) {
                valid.append(i)
            } else {
                report.rejected += 1
            }
        }
        state.rejectedDetections += report.rejected
        let detections = valid.map { input[$0] }

        // 2. Predict every track to this frame.
        let dt = state.frameIndex < 0 ? 0 : time - state.time
        // Moved out of the state so that each track's storage is uniquely referenced and
        // updated in place.
        var tracks = state.tracks
        state.tracks = []
        if dt > 0 {
            for t in tracks.indices { predictor.predict(&tracks[t], dt: dt) }
        }

        // 3. Gate, associate and update.
        let association = associator.associate(tracks: tracks, detections: detections)
        switch association.updates {
        case .hard(let assigned):
            for (t, d) in assigned.enumerated() {
                guard let d else { continue }
                updater.update(&tracks[t], with: detections[d])
            }
        case .soft(let gated, let starts, let weights):
            for t in tracks.indices where starts[t + 1] > starts[t] {
                updater.update(
                    &tracks[t],
                    weighted: WeightedDetections(
                        detections: detections, indices: gated[starts[t]..<starts[t + 1]], weights: weights[t],
                        missWeight: association.missWeight, logDetection: association.logDetection,
                        logClutter: association.logClutter))
            }
        }
        let hit = association.hit

        // 4. Track management, in place; dead tracks are compacted out afterwards.
        var alive = [Bool](repeating: true, count: tracks.count)
        for t in tracks.indices {
            let id = tracks[t].id
            tracks[t].age += 1
            tracks[t].hitHistory <<= 1
            if hit[t] {
                tracks[t].hitHistory |= 1
                tracks[t].hits += 1
                tracks[t].misses = 0
                tracks[t].lastUpdate = time
            } else {
                tracks[t].misses += 1
            }
            var finite = true
            for j in tracks[t].components.indices
            where !(tracks[t].components[j].mean.isFinite && tracks[t].components[j].covariance.isPositiveDefinite) {
                finite = false
            }
            guard finite else {
                report.numericalFailures += 1
                if tracks[t].status != .tentative { report.deleted.append(id) }
                alive[t] = false
                continue
            }
            switch tracks[t].status {
            case .tentative:
                switch initiator.review(tracks[t]) {
                case .confirm:
                    tracks[t].status = .confirmed
                    report.confirmed.append(id)
                case .drop: alive[t] = false  // cannot reach confirmation: dropped silently
                case .keep: break
                }
            case .confirmed, .coasting:
                tracks[t].status = hit[t] ? .confirmed : .coasting
                if deleter.shouldDelete(tracks[t]) {
                    report.deleted.append(id)
                    alive[t] = false
                }
            }
        }
        for d in detections.indices {
            if let t = association.detectionTrack[d] { report.detectionTracks[valid[d]] = tracks[t].id }
        }
        var kept = 0
        for t in tracks.indices where alive[t] {
            if kept != t { tracks.swapAt(kept, t) }
            kept += 1
        }
        tracks.removeLast(tracks.count - kept)
        // 5. Births at the unassociated detections. Ids grow, so the list stays sorted by id.
        for d in association.unassociated {
            var track = initiator.initiate(from: detections[d], id: state.nextTrackId, time: time, predictor: predictor)
            state.nextTrackId += 1
            updater.observeClass(&track, detections[d])
            report.born.append(track.id)
            if track.status == .confirmed { report.confirmed.append(track.id) }
            tracks.append(track)
            report.detectionTracks[valid[d]] = track.id
        }
        state.tracks = tracks
        state.frameIndex = frameIndex
        state.time = time
        return report
    }
}
