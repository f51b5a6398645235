import RealModule
import TwinMath

/// A track–detection pair inside the χ² gate.
struct GatedPair: Sendable {
    var detection: Int
    var distanceSquared: Double
    var logDeterminant: Double
    /// ln N(ν; 0, S).
    var logLikelihood: Double
}

/// The gate's result, flat (one allocation however many tracks): the gated pairs grouped by
/// track (detections ascending within a track), where each track's group starts, and how many
/// tracks gated each detection.
struct GatedPairs {
    var pairs: [GatedPair]
    /// `pairs[trackStart[t]..<trackStart[t + 1]]` are track t's.
    var trackStart: [Int]
    var detectionHits: [Int]

    func of(_ t: Int) -> ArraySlice<GatedPair> { pairs[trackStart[t]..<trackStart[t + 1]] }
    func count(_ t: Int) -> Int { trackStart[t + 1] - trackStart[t] }
    /// Track t's k-th gated pair.
    func pair(_ t: Int, _ k: Int) -> GatedPair { pairs[trackStart[t] + k] }
    var trackCount: Int { trackStart.count - 1 }
    /// Per track, its pairs (for tests and readability; allocates).
    var byTrack: [[GatedPair]] { (0..<trackCount).map { Array(of($0)) } }
}

/// χ² gating of every track against every detection, without testing all pairs when there
/// are many.
///
/// A pair can pass d² = νᵀS⁻¹ν ≤ γ with S = P + R only if |ν| ≤ √(γ·λmax(S)), and
/// √(γ·λmax(P + R)) ≤ √(γ·tr P) + √(γ·tr R) =: r_t + r_d. So each track only needs the
/// detections within r_t + r_d of its predicted position. Detections go into a uniform
/// horizontal grid (cell side about twice the typical search radius); a track visits the cells
/// its search disc covers and runs the exact test on the detections there. Detections with an
/// unusually large r_d, and tracks with a search radius of more than a few cells (a long-coasting
/// track), are tested against everything instead, so no gated pair is ever missed. With few
/// tracks and detections (≤ 4,096 pairs) the grid costs more than it saves and all pairs get the
/// cheap sphere test first.
enum GatingIndex {
    static func gatedPairs(predicted: [PredictedPosition], detections: [Detection], gate: Double) -> GatedPairs {
        var pairs: [GatedPair] = []
        var trackStart = [0]
        trackStart.reserveCapacity(predicted.count + 1)
        var detectionHits = [Int](repeating: 0, count: detections.count)
        guard !predicted.isEmpty, !detections.isEmpty else {
            return GatedPairs(pairs: [], trackStart: [Int](repeating: 0, count: predicted.count + 1), detectionHits: detectionHits)
        }
        pairs.reserveCapacity(predicted.count + detections.count)
        let trackRadius = predicted.map { (gate * $0.covariance.trace).squareRoot() }
        let detectionRadius = detections.map { (gate * $0.covariance.trace).squareRoot() }

        func test(_ t: Int, _ d: Int) {
            let dp = detections[d].position - predicted[t].position
            let reach = trackRadius[t] + detectionRadius[d]
            guard dp.normSquared <= reach * reach,
                let inn = PositionInnovation(
                    predicted: predicted[t], position: detections[d].position, covariance: detections[d].covariance),
                inn.distanceSquared <= gate
            else { return }
            pairs.append(
                GatedPair(
                    detection: d, distanceSquared: inn.distanceSquared, logDeterminant: inn.logDeterminant,
                    logLikelihood: inn.logLikelihood))
            detectionHits[d] += 1
        }

        if predicted.count * detections.count <= 4096 {
            for t in predicted.indices {
                for d in detections.indices { test(t, d) }
                trackStart.append(pairs.count)
            }
        } else {
            let grid = Grid(positions: detections.map(\.position), radii: detectionRadius, trackRadii: trackRadius)
            for t in predicted.indices {
                let p = predicted[t].position
                let reach = trackRadius[t] + grid.maxGriddedRadius
                if reach > 4 * grid.cell || !(abs(p.x / grid.cell) < 1e15 && abs(p.y / grid.cell) < 1e15) {
                    for d in detections.indices { test(t, d) }
                    trackStart.append(pairs.count)
                    continue
                }
                var candidates: [Int] = []
                let (x0, y0) = grid.cellIndex(p.x - reach, p.y - reach)
                let (x1, y1) = grid.cellIndex(p.x + reach, p.y + reach)
                for ix in x0...x1 {
                    for iy in y0...y1 {
                        if let range = grid.cells[Grid.key(ix, iy)] { candidates.append(contentsOf: grid.order[range]) }
                    }
                }
                candidates.append(contentsOf: grid.oversized)
                candidates.sort()
                for d in candidates { test(t, d) }
                trackStart.append(pairs.count)
            }
        }
        return GatedPairs(pairs: pairs, trackStart: trackStart, detectionHits: detectionHits)
    }

    /// Detections bucketed by horizontal cell: `order` lists detection indices sorted by cell
    /// key, `cells[key]` is the slice of `order` in that cell.
    struct Grid {
        var cell: Double
        var order: [Int]
        var cells: [Int64: Range<Int>]
        var oversized: [Int]
        var maxGriddedRadius: Double

        init(positions: [Vec3], radii: [Double], trackRadii: [Double]) {
            let typical = Self.median(radii) + Self.median(trackRadii)
            cell = Swift.max(2 * typical, 1e-3)
            var gridded: [(key: Int64, index: Int)] = []
            gridded.reserveCapacity(positions.count)
            oversized = []
            maxGriddedRadius = 0
            let limit = cell
            for (i, p) in positions.enumerated() {
                // Far outside any map (or radii beyond the grid): tested against every track.
                if radii[i] > limit || !(abs(p.x / cell) < 1e15 && abs(p.y / cell) < 1e15) {
                    oversized.append(i)
                } else {
                    maxGriddedRadius = Swift.max(maxGriddedRadius, radii[i])
                    let (ix, iy) = (Int((p.x / cell).rounded(.down)), Int((p.y / cell).rounded(.down)))
                    gridded.append((Self.key(ix, iy), i))
                }
            }
            gridded.sort { $0.key != $1.key ? $0.key < $1.key : $0.index < $1.index }
            order = gridded.map(\.index)
            cells = [:]
            cells.reserveCapacity(gridded.count)
            var start = 0
            while start < gridded.count {
                var end = start + 1
                while end < gridded.count && gridded[end].key == gridded[start].key { end += 1 }
                cells[gridded[start].key] = start..<end
                start = end
            }
        }

        func cellIndex(_ x: Double, _ y: Double) -> (Int, Int) {
            (Int((x / cell).rounded(.down)), Int((y / cell).rounded(.down)))
        }

        static func key(_ ix: Int, _ iy: Int) -> Int64 { Int64(ix) &* 0x1_0000_0001 &+ Int64(iy) }

        static func median(_ v: [Double]) -> Double {
            guard !v.isEmpty else { return 0 }
            var s = v
            let k = s.count / 2
            s.sort()
            return s[k]
        }
    }
}

/// Connected components of the gate graph (tracks and detections linked by gated pairs):
/// association decisions in one cluster never affect another. Stored flat: cluster c holds
/// `trackOrder[trackStart[c]..<trackStart[c + 1]]` (ascending) and likewise its detections;
/// clusters are ordered by their smallest track and every cluster has a track and a detection.
struct Clusters {
    var trackOrder: [Int] = []
    var trackStart: [Int] = [0]
    var detectionOrder: [Int] = []
    var detectionStart: [Int] = [0]

    var count: Int { trackStart.count - 1 }
    func tracks(_ c: Int) -> ArraySlice<Int> { trackOrder[trackStart[c]..<trackStart[c + 1]] }
    func detections(_ c: Int) -> ArraySlice<Int> { detectionOrder[detectionStart[c]..<detectionStart[c + 1]] }

    init(tracks: Int, detections: Int, pairs: GatedPairs) {
        var parent = Array(0..<(tracks + detections))
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        for t in 0..<tracks {
            for pair in pairs.of(t) {
                let (a, b) = (find(t), find(tracks + pair.detection))
                if a != b { parent[Swift.max(a, b)] = Swift.min(a, b) }
            }
        }
        // Cluster ids in order of first track; then counting sort into the flat lists.
        var clusterOfRoot = [Int](repeating: -1, count: tracks + detections)
        var clusterOfTrack = [Int](repeating: -1, count: tracks)
        var clusters = 0
        for t in 0..<tracks where pairs.count(t) > 0 {
            let root = find(t)
            if clusterOfRoot[root] < 0 {
                clusterOfRoot[root] = clusters
                clusters += 1
            }
            clusterOfTrack[t] = clusterOfRoot[root]
        }
        trackStart = [Int](repeating: 0, count: clusters + 1)
        detectionStart = [Int](repeating: 0, count: clusters + 1)
        for t in 0..<tracks where clusterOfTrack[t] >= 0 { trackStart[clusterOfTrack[t] + 1] += 1 }
        var clusterOfDetection = [Int](repeating: -1, count: detections)
        for d in 0..<detections where pairs.detectionHits[d] > 0 {
            clusterOfDetection[d] = clusterOfRoot[find(tracks + d)]
            detectionStart[clusterOfDetection[d] + 1] += 1
        }
        for c in 0..<clusters {
            trackStart[c + 1] += trackStart[c]
            detectionStart[c + 1] += detectionStart[c]
        }
        trackOrder = [Int](repeating: 0, count: trackStart[clusters])
        detectionOrder = [Int](repeating: 0, count: detectionStart[clusters])
        var nextTrack = trackStart, nextDetection = detectionStart
        for t in 0..<tracks where clusterOfTrack[t] >= 0 {
            trackOrder[nextTrack[clusterOfTrack[t]]] = t
            nextTrack[clusterOfTrack[t]] += 1
        }
        for d in 0..<detections where clusterOfDetection[d] >= 0 {
            detectionOrder[nextDetection[clusterOfDetection[d]]] = d
            nextDetection[clusterOfDetection[d]] += 1
        }
    }
}
