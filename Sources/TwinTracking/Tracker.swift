import RealModule
import TwinMath

/// The tracking stage's boundary: detections of one frame in, the twin out.
public protocol Tracker: Sendable {
    var settings: TrackerSettings { get }
    /// The twin after the last frame.
    var state: TwinState { get }
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

/// A multi-target tracker: IMM or single-model (E)KF per track, χ² gating through a spatial
/// index, GNN or JPDA association per cluster, M-of-N confirmation, coasting and deletion
/// (DOMAIN.md §9). All of its memory is `state`, so a tracker rebuilt from a persisted
/// `TwinState` continues bit for bit.
public struct MultiTargetTracker: Tracker {
    public let settings: TrackerSettings
    public private(set) var state: TwinState
    /// χ²₃ gate.
    let gate: Double
    /// IMM model transition probabilities Π[i][j] = P(model j next | model i now).
    let transition: [[Double]]
    let initialProbabilities: [Double]
    let logClutter: Double
    let logDetection: Double
    let missWeight: Double

    /// A tracker with `settings`, starting from `state` (empty by default). Throws
    /// `TrackerSettingsError` for invalid settings.
    public init(settings: TrackerSettings, state: TwinState = TwinState()) throws(TrackerSettingsError) {
        let problems = settings.problems
        guard problems.isEmpty else { throw TrackerSettingsError(problems: problems) }
        self.settings = settings
        self.state = state
        gate = chiSquareQuantile(probability: settings.gateProbability, degreesOfFreedom: 3)
        let r = settings.models.count
        transition = (0..<r).map { i in
            (0..<r).map { j in r == 1 ? 1 : (i == j ? 1 - settings.switchProbability : settings.switchProbability / Double(r - 1)) }
        }
        initialProbabilities = [Double](repeating: 1 / Double(r), count: r)
        logClutter = Double.log(settings.clutterDensity)
        logDetection = Double.log(settings.detectionProbability)
        missWeight = 1 - settings.detectionProbability * settings.gateProbability
    }

    public mutating func update(frameIndex: Int, time: Double, detections input: [Detection]) -> TrackerFrameReport {
        var report = TrackerFrameReport()
        report.detectionTracks = [Int?](repeating: nil, count: input.count)
        // 1. Refuse what must never reach the twin.
        var valid: [Int] = []
        valid.reserveCapacity(input.count)
        for (i, d) in input.enumerated() {
            if d.isValid && (settings.measurement == .position || d.raw.allSatisfy(\.isValid)) {
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
            for t in tracks.indices { predict(&tracks[t], dt: dt) }
        }
        let predicted = tracks.map { $0.components.count == 1 ? PredictedPosition($0.components[0]) : PredictedPosition($0.estimate) }

        // 3. Gate (spatial index) and cluster.
        let gated = GatingIndex.gatedPairs(
            predicted: predicted, detections: detections, gate: gate)
        let clusters = Clusters(tracks: tracks.count, detections: detections.count, pairs: gated)

        // 4. Associate and update.
        var hit = [Bool](repeating: false, count: tracks.count)
        var detectionTrack = [Int?](repeating: nil, count: detections.count)
        switch settings.association {
        case .gnn:
            let assignment = gnn(gated: gated, clusters: clusters)
            for (t, d) in assignment.enumerated() {
                guard let d else { continue }
                update(&tracks[t], with: detections[d])
                hit[t] = true
                detectionTrack[d] = t
            }
        case .jpda:
            let betas = jpda(gated: gated, clusters: clusters)
            var best = [(track: Int, beta: Double)?](repeating: nil, count: detections.count)
            for t in tracks.indices where gated.count(t) > 0 {
                let weights = betas[t]
                pdaUpdate(&tracks[t], detections: detections, pairs: Array(gated.of(t)), betas: weights)
                let total = weights.reduce(0, +)
                hit[t] = total >= 0.5
                for (k, pair) in gated.of(t).enumerated() where weights[k] > 0.5 && weights[k] > (best[pair.detection]?.beta ?? 0) {
                    best[pair.detection] = (t, weights[k])
                }
            }
            for d in detections.indices { detectionTrack[d] = best[d]?.track }
        }

        // 5. Track management, in place; dead tracks are compacted out afterwards.
        var alive = [Bool](repeating: true, count: tracks.count)
        let window = UInt32.max >> (32 - settings.confirmWindow)
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
                if (tracks[t].hitHistory & window).nonzeroBitCount >= settings.confirmHits {
                    tracks[t].status = .confirmed
                    report.confirmed.append(id)
                } else if tracks[t].age + 1 >= settings.confirmWindow
                    || tracks[t].hits + (settings.confirmWindow - tracks[t].age - 1) < settings.confirmHits
                {
                    alive[t] = false  // cannot reach M of N: dropped silently
                }
            case .confirmed, .coasting:
                tracks[t].status = hit[t] ? .confirmed : .coasting
                let p =
                    tracks[t].components.count == 1
                    ? PredictedPosition(tracks[t].components[0]).covariance : PredictedPosition(tracks[t].estimate).covariance
                let sigma = Swift.max(p.xx, p.yy, p.zz).squareRoot()
                if tracks[t].misses >= settings.deleteAfterMisses || sigma > settings.maxPositionSigma {
                    report.deleted.append(id)
                    alive[t] = false
                }
            }
        }
        for d in detections.indices {
            if let t = detectionTrack[d] { report.detectionTracks[valid[d]] = tracks[t].id }
        }
        var kept = 0
        for t in tracks.indices where alive[t] {
            if kept != t { tracks.swapAt(kept, t) }
            kept += 1
        }
        tracks.removeLast(tracks.count - kept)
        // 6. Births: detections that no track gated (JPDA) or that no track took (GNN). Ids
        // grow, so the list stays sorted by id.
        for d in detections.indices {
            let free = settings.association == .gnn ? detectionTrack[d] == nil : gated.detectionHits[d] == 0
            guard free else { continue }
            let track = newTrack(from: detections[d], time: time)
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

    // MARK: - Filtering

    /// IMM interaction (mixing) and per-model prediction; a single model just predicts.
    func predict(_ track: inout Track, dt: Double) {
        let r = track.components.count
        if r == 1 {
            settings.models[0].predict(&track.components[0], dt: dt)
            return
        }
        let mu = track.modelProbabilities
        var cbar = [Double](repeating: 0, count: r)
        for j in 0..<r { for i in 0..<r { cbar[j] += transition[i][j] * mu[i] } }
        var mixed = track.components
        for j in 0..<r where cbar[j] > 0 {
            let weights = (0..<r).map { transition[$0][j] * mu[$0] / cbar[j] }
            mixed[j] = ModelState.mixture(track.components, weights: weights)
        }
        for j in 0..<r { settings.models[j].predict(&mixed[j], dt: dt) }
        track.components = mixed
        track.modelProbabilities = cbar
    }

    /// A hard update with one detection: raw measurements (EKF) when selected and present,
    /// else the position; IMM model probabilities follow each model's likelihood.
    func update(_ track: inout Track, with detection: Detection) {
        var logLikelihoods = [Double](repeating: 0, count: track.components.count)
        for j in track.components.indices {
            if settings.measurement == .raw && !detection.raw.isEmpty {
                var ll = 0.0
                for m in detection.raw {
                    if let l = track.components[j].update(m) { ll += l }
                }
                logLikelihoods[j] = ll
            } else if let inn = PositionInnovation(
                predicted: track.components[j], position: detection.position, covariance: detection.covariance)
            {
                track.components[j].update(inn)
                logLikelihoods[j] = inn.logLikelihood
            } else {
                logLikelihoods[j] = -.infinity
            }
        }
        updateModelProbabilities(&track, logLikelihoods)
        observeClass(&track, detection)
    }

    /// The JPDA update of one track with its gated detections and their weights.
    func pdaUpdate(_ track: inout Track, detections: [Detection], pairs: [GatedPair], betas: [Double]) {
        var logLikelihoods = [Double](repeating: 0, count: track.components.count)
        for j in track.components.indices {
            var parts: [(beta: Double, innovation: PositionInnovation)] = []
            var likelihood = missWeight
            for (k, pair) in pairs.enumerated() {
                let d = detections[pair.detection]
                guard let inn = PositionInnovation(predicted: track.components[j], position: d.position, covariance: d.covariance) else {
                    continue
                }
                parts.append((betas[k], inn))
                likelihood += Double.exp(logDetection + inn.logLikelihood - logClutter)
            }
            track.components[j].pdaUpdate(parts)
            logLikelihoods[j] = Double.log(likelihood)
        }
        updateModelProbabilities(&track, logLikelihoods)
        if let k = betas.indices.max(by: { betas[$0] < betas[$1] }), betas[k] > 0.5 {
            observeClass(&track, detections[pairs[k].detection])
        }
    }

    func updateModelProbabilities(_ track: inout Track, _ logLikelihoods: [Double]) {
        guard track.components.count > 1 else { return }
        let top = logLikelihoods.max() ?? 0
        guard top.isFinite else { return }
        var mu = track.modelProbabilities
        var total = 0.0
        for j in mu.indices {
            mu[j] *= Double.exp(logLikelihoods[j] - top)
            total += mu[j]
        }
        guard total > 0, total.isFinite else { return }
        // Floor so that a model can always come back (probabilities never exactly 0).
        for j in mu.indices { mu[j] = Swift.max(mu[j] / total, 1e-12) }
        let renormalised = mu.reduce(0, +)
        track.modelProbabilities = mu.map { $0 / renormalised }
    }

    func observeClass(_ track: inout Track, _ detection: Detection) {
        guard !settings.classes.isEmpty, let rcs = detection.rcsDbsm, rcs.isFinite else { return }
        let extra = detection.rcsVariance.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } ?? 0
        if track.classLogLikelihoods.isEmpty { track.classLogLikelihoods = [Double](repeating: 0, count: settings.classes.count) }
        for (c, cls) in settings.classes.enumerated() {
            let v = cls.spreadDb * cls.spreadDb + extra
            let d = rcs - cls.meanDbsm
            track.classLogLikelihoods[c] += -0.5 * (d * d / v + Double.log(2 * Double.pi * v))
        }
    }

    /// A tentative track at the detection: position and its covariance from the detection,
    /// zero velocity (and acceleration, turn rate) with the configured prior spreads.
    mutating func newTrack(from d: Detection, time: Double) -> Track {
        let n = settings.dimension
        var mean = StateVector(count: n)
        mean[0] = d.position.x
        mean[1] = d.position.y
        mean[2] = d.position.z
        var p = StateMatrix(count: n)
        let c = d.covariance
        (p[0, 0], p[0, 1], p[0, 2]) = (c.xx, c.xy, c.xz)
        (p[1, 0], p[1, 1], p[1, 2]) = (c.xy, c.yy, c.yz)
        (p[2, 0], p[2, 1], p[2, 2]) = (c.xz, c.yz, c.zz)
        for i in 3..<Swift.min(6, n) { p[i, i] = settings.initialVelocitySigma * settings.initialVelocitySigma }
        if n == 7 { p[6, 6] = settings.initialTurnRateSigma * settings.initialTurnRateSigma }
        if n == 9 { for i in 6..<9 { p[i, i] = settings.initialAccelerationSigma * settings.initialAccelerationSigma } }
        let component = ModelState(mean: mean, covariance: p)
        let id = state.nextTrackId
        state.nextTrackId += 1
        var track = Track(
            id: id, status: .tentative, components: [ModelState](repeating: component, count: settings.models.count),
            modelProbabilities: initialProbabilities, birthTime: time, lastUpdate: time, age: 0, hits: 1, misses: 0,
            hitHistory: 1, classLogLikelihoods: [])
        if settings.confirmHits <= 1 { track.status = .confirmed }
        observeClass(&track, d)
        return track
    }

    // MARK: - Association

    /// GNN: per cluster, the optimal assignment on d² + ln|S| over gated pairs.
    func gnn(gated: GatedPairs, clusters: Clusters) -> [Int?] {
        var result = [Int?](repeating: nil, count: gated.trackCount)
        for c in 0..<clusters.count {
            let ts = clusters.tracks(c)
            let ds = clusters.detections(c)
            if ts.count == 1 && ds.count == 1 {
                result[ts.first!] = ds.first!
                continue
            }
            let tracks = Array(ts), dets = Array(ds)
            var costs = Matrix(rows: tracks.count, columns: dets.count, repeating: .infinity)
            for (row, t) in tracks.enumerated() {
                for pair in gated.of(t) {
                    // Both lists ascend: binary search for the detection's column.
                    var lo = 0, hi = dets.count
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if dets[mid] < pair.detection { lo = mid + 1 } else { hi = mid }
                    }
                    costs[row, lo] = pair.distanceSquared + pair.logDeterminant
                }
            }
            let solution = Assignment.solve(costs: costs)
            for (row, col) in solution.pairs { result[tracks[row]] = dets[col] }
        }
        return result
    }

    /// JPDA: for each track, β of each of its gated detections (same order as
    /// `gated.byTrack[t]`). Exact enumeration of the joint events of each cluster; the cheap
    /// JPDA approximation beyond `jpdaHypothesisBudget` events.
    func jpda(gated: GatedPairs, clusters: Clusters) -> [[Double]] {
        var betas = (0..<gated.trackCount).map { [Double](repeating: 0, count: gated.count($0)) }
        // Likelihood ratio of each gated pair against clutter: P_D·N(ν; 0, S)/λ.
        let ratio = (0..<gated.trackCount).map { t in
            gated.of(t).map { logDetection + $0.logLikelihood - logClutter }
        }
        for c in 0..<clusters.count {
            let ts = Array(clusters.tracks(c))
            if ts.count == 1 {
                // A single track: the PDA weights in closed form.
                let t = ts[0]
                let top = Swift.max(ratio[t].max() ?? 0, Double.log(missWeight))
                let w = ratio[t].map { Double.exp($0 - top) }
                let none = Double.exp(Double.log(missWeight) - top)
                let total = w.reduce(none, +)
                betas[t] = w.map { $0 / total }
                continue
            }
            if !enumerateEvents(tracks: ts, gated: gated, ratio: ratio, into: &betas) {
                cheapJPDA(tracks: ts, gated: gated, ratio: ratio, into: &betas)
            }
        }
        return betas
    }

    /// Exact JPDA by depth-first enumeration of feasible joint events (each detection to at
    /// most one track); false if the cluster has more than the budget of events.
    func enumerateEvents(tracks ts: [Int], gated: GatedPairs, ratio: [[Double]], into betas: inout [[Double]]) -> Bool {
        let logMiss = Double.log(missWeight)
        var used = Set<Int>()
        var choice = [Int](repeating: -1, count: ts.count)
        var events: [(weight: Double, choice: [Int])] = []
        var overBudget = false
        func visit(_ k: Int, _ logWeight: Double) {
            if overBudget { return }
            if k == ts.count {
                events.append((logWeight, choice))
                if events.count > settings.jpdaHypothesisBudget { overBudget = true }
                return
            }
            choice[k] = -1
            visit(k + 1, logWeight + logMiss)
            for (p, pair) in gated.of(ts[k]).enumerated() where !used.contains(pair.detection) {
                used.insert(pair.detection)
                choice[k] = p
                visit(k + 1, logWeight + ratio[ts[k]][p])
                used.remove(pair.detection)
            }
            choice[k] = -1
        }
        visit(0, 0)
        if overBudget { return false }
        let top = events.map(\.weight).max() ?? 0
        var total = 0.0
        for e in events {
            let w = Double.exp(e.weight - top)
            total += w
            for (k, p) in e.choice.enumerated() where p >= 0 { betas[ts[k]][p] += w }
        }
        for t in ts { betas[t] = betas[t].map { $0 / total } }
        return true
    }

    /// Fitzgerald's cheap JPDA: βᵢⱼ = Gᵢⱼ / (Tᵢ + Sⱼ − Gᵢⱼ + B), with Gᵢⱼ the likelihood ratio,
    /// Tᵢ its sum over track i's detections, Sⱼ over detection j's tracks, B the miss weight.
    func cheapJPDA(tracks ts: [Int], gated: GatedPairs, ratio: [[Double]], into betas: inout [[Double]]) {
        var detectionSum = [Int: Double]()
        for t in ts {
            for (p, pair) in gated.of(t).enumerated() { detectionSum[pair.detection, default: 0] += Double.exp(ratio[t][p]) }
        }
        for t in ts {
            let g = ratio[t].map { Double.exp($0) }
            let trackSum = g.reduce(0, +)
            var b = g.enumerated().map { p, gij in gij / (trackSum + detectionSum[gated.pair(t, p).detection]! - gij + missWeight) }
            let total = b.reduce(0, +)
            if total > 1 { b = b.map { $0 / total } }
            betas[t] = b
        }
    }
}

/// Invalid tracker settings, one line per problem.
public struct TrackerSettingsError: Error, CustomStringConvertible, Sendable {
    public var problems: [(field: String, expected: String, found: String)]
    public var description: String {
        problems.map { "tracker.\($0.field): expected \($0.expected), found \($0.found)" }.joined(separator: "\n")
    }
}
