import RealModule
import TwinMath

/// The predicted positions of tracks, as gating sees them.
func predictedPositions(_ tracks: [Track]) -> [PredictedPosition] {
    tracks.map { $0.components.count == 1 ? PredictedPosition($0.components[0]) : PredictedPosition($0.estimate) }
}

/// Global nearest neighbour: χ² gating through the spatial index (`GatingIndex`), clusters of
/// tracks sharing detections, and per cluster the optimal assignment (TwinMath `Assignment`,
/// shortest augmenting path) on d² + ln|S| over the gated pairs. A detection no track took
/// starts a track.
public struct GNNAssociator: Associator {
    public let gate: Double

    public init(gateProbability: Double) { gate = chiSquareQuantile(probability: gateProbability, degreesOfFreedom: 3) }

    public func associate(tracks: [Track], detections: [Detection]) -> Association {
        let gated = GatingIndex.gatedPairs(predicted: predictedPositions(tracks), detections: detections, gate: gate)
        let clusters = Clusters(tracks: tracks.count, detections: detections.count, pairs: gated)
        let assignment = Self.assign(gated: gated, clusters: clusters)
        var hit = [Bool](repeating: false, count: tracks.count)
        var detectionTrack = [Int?](repeating: nil, count: detections.count)
        for (t, d) in assignment.enumerated() {
            guard let d else { continue }
            hit[t] = true
            detectionTrack[d] = t
        }
        return Association(
            updates: .hard(assignment), hit: hit, detectionTrack: detectionTrack,
            unassociated: detections.indices.filter { detectionTrack[$0] == nil })
    }

    /// Per cluster, the optimal assignment on d² + ln|S| over gated pairs.
    static func assign(gated: GatedPairs, clusters: Clusters) -> [Int?] {
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
}

/// Joint probabilistic data association (Fortmann, Bar-Shalom & Scheffe 1983): χ² gating and
/// clusters as for GNN; per cluster, each gated pair's association probability β over the
/// feasible joint events (each detection to at most one track), by exact enumeration up to
/// `hypothesisBudget` events, beyond it Fitzgerald's cheap JPDA. A track counts as detected
/// when Σβ ≥ 0.5; a detection no track gated starts a track.
public struct JPDAAssociator: Associator {
    public let gate: Double
    public let hypothesisBudget: Int
    let logDetection: Double
    let logClutter: Double
    let missWeight: Double

    public init(gateProbability: Double, detectionProbability: Double, clutterDensity: Double, hypothesisBudget: Int) {
        gate = chiSquareQuantile(probability: gateProbability, degreesOfFreedom: 3)
        self.hypothesisBudget = hypothesisBudget
        logClutter = Double.log(clutterDensity)
        logDetection = Double.log(detectionProbability)
        missWeight = 1 - detectionProbability * gateProbability
    }

    public func associate(tracks: [Track], detections: [Detection]) -> Association {
        let gated = GatingIndex.gatedPairs(predicted: predictedPositions(tracks), detections: detections, gate: gate)
        let clusters = Clusters(tracks: tracks.count, detections: detections.count, pairs: gated)
        let betas = self.betas(gated: gated, clusters: clusters)
        var hit = [Bool](repeating: false, count: tracks.count)
        var best = [(track: Int, beta: Double)?](repeating: nil, count: detections.count)
        for t in tracks.indices {
            let pairs = gated.of(t)
            let weights = betas[t]
            guard !pairs.isEmpty else { continue }
            hit[t] = weights.reduce(0, +) >= 0.5
            for (k, pair) in pairs.enumerated() where weights[k] > 0.5 && weights[k] > (best[pair.detection]?.beta ?? 0) {
                best[pair.detection] = (t, weights[k])
            }
        }
        return Association(
            updates: .soft(gated: gated.pairs.map(\.detection), starts: gated.trackStart, weights: betas), hit: hit,
            detectionTrack: best.map { $0?.track },
            unassociated: detections.indices.filter { gated.detectionHits[$0] == 0 }, missWeight: missWeight,
            logDetection: logDetection, logClutter: logClutter)
    }

    /// For each track, β of each of its gated detections (same order as `gated.of(t)`).
    func betas(gated: GatedPairs, clusters: Clusters) -> [[Double]] {
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
                if events.count > hypothesisBudget { overBudget = true }
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

/// One-point initiation with M-of-N confirmation: a track starts at an unassociated detection
/// (its position and covariance; zero velocity, acceleration and turn rate with the prior
/// spreads), is confirmed with `hits` detections within its first `window` frames, and is
/// dropped as soon as it cannot reach that.
public struct MOfNInitiator: Initiator {
    public let hits: Int
    public let window: Int
    public let velocitySigma: Double
    public let accelerationSigma: Double
    public let turnRateSigma: Double

    public init(hits: Int, window: Int, velocitySigma: Double, accelerationSigma: Double, turnRateSigma: Double) {
        (self.hits, self.window, self.velocitySigma, self.accelerationSigma, self.turnRateSigma) =
            (hits, window, velocitySigma, accelerationSigma, turnRateSigma)
    }

    public func initiate(from d: Detection, id: Int, time: Double, predictor: any Predictor) -> Track {
        let n = predictor.dimension
        var mean = StateVector(count: n)
        mean[0] = d.position.x
        mean[1] = d.position.y
        mean[2] = d.position.z
        var p = StateMatrix(count: n)
        let c = d.covariance
        (p[0, 0], p[0, 1], p[0, 2]) = (c.xx, c.xy, c.xz)
        (p[1, 0], p[1, 1], p[1, 2]) = (c.xy, c.yy, c.yz)
        (p[2, 0], p[2, 1], p[2, 2]) = (c.xz, c.yz, c.zz)
        for i in 3..<Swift.min(6, n) { p[i, i] = velocitySigma * velocitySigma }
        if n == 7 { p[6, 6] = turnRateSigma * turnRateSigma }
        if n == 9 { for i in 6..<9 { p[i, i] = accelerationSigma * accelerationSigma } }
        let component = ModelState(mean: mean, covariance: p)
        var track = Track(
            id: id, status: .tentative, components: [ModelState](repeating: component, count: predictor.modelCount),
            modelProbabilities: predictor.initialProbabilities, birthTime: time, lastUpdate: time, age: 0, hits: 1, misses: 0,
            hitHistory: 1, classLogLikelihoods: [])
        if hits <= 1 { track.status = .confirmed }
        return track
    }

    public func review(_ track: Track) -> TentativeReview {
        let mask = UInt32.max >> (32 - window)
        if (track.hitHistory & mask).nonzeroBitCount >= hits { return .confirm }
        if track.age + 1 >= window || track.hits + (window - track.age - 1) < hits { return .drop }
        return .keep
    }
}

/// Deletes a confirmed track after `misses` consecutive misses, or when its position standard
/// deviation (largest axis) exceeds `maxPositionSigma`.
public struct MissesOrSpreadDeleter: Deleter {
    public let misses: Int
    public let maxPositionSigma: Double

    public init(misses: Int, maxPositionSigma: Double) { (self.misses, self.maxPositionSigma) = (misses, maxPositionSigma) }

    public func shouldDelete(_ track: Track) -> Bool {
        let p =
            track.components.count == 1
            ? PredictedPosition(track.components[0]).covariance : PredictedPosition(track.estimate).covariance
        let sigma = Swift.max(p.xx, p.yy, p.zz).squareRoot()
        return track.misses >= misses || sigma > maxPositionSigma
    }
}
