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

/// The gate's result: per track, the detections it gated (by increasing index); per
/// detection, the tracks that gated it.
struct GatedPairs {
    var byTrack: [[GatedPair]]
    var byDetection: [[Int]]
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
    static func gatedPairs(predicted: [ModelState], detections: [Detection], gate: Double) -> GatedPairs {
        var byTrack = [[GatedPair]](repeating: [], count: predicted.count)
        var byDetection = [[Int]](repeating: [], count: detections.count)
        guard !predicted.isEmpty, !detections.isEmpty else { return GatedPairs(byTrack: byTrack, byDetection: byDetection) }
        let trackRadius = predicted.map { (gate * $0.covariance.positionBlock.trace).squareRoot() }
        let detectionRadius = detections.map { (gate * $0.covariance.trace).squareRoot() }

        func test(_ t: Int, _ d: Int) {
            let dp = detections[d].position - predicted[t].mean.position
            let reach = trackRadius[t] + detectionRadius[d]
            guard dp.normSquared <= reach * reach,
                let inn = PositionInnovation(predicted: predicted[t], position: detections[d].position, covariance: detections[d].covariance),
                inn.distanceSquared <= gate
            else { return }
            byTrack[t].append(
                GatedPair(
                    detection: d, distanceSquared: inn.distanceSquared, logDeterminant: inn.logDeterminant,
                    logLikelihood: inn.logLikelihood))
        }

        if predicted.count * detections.count <= 4096 {
            for t in predicted.indices { for d in detections.indices { test(t, d) } }
        } else {
            let grid = Grid(positions: detections.map(\.position), radii: detectionRadius, trackRadii: trackRadius)
            for t in predicted.indices {
                let p = predicted[t].mean.position
                let reach = trackRadius[t] + grid.maxGriddedRadius
                if reach > 4 * grid.cell {
                    for d in detections.indices { test(t, d) }
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
            }
        }
        for t in byTrack.indices { for pair in byTrack[t] { byDetection[pair.detection].append(t) } }
        return GatedPairs(byTrack: byTrack, byDetection: byDetection)
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
                if radii[i] > limit {
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
/// association decisions in one cluster never affect another.
struct Clusters {
    struct Cluster {
        var tracks: [Int]
        var detections: [Int]
    }
    /// Clusters with at least one track and one detection, ordered by their smallest track.
    var members: [Cluster]

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
            for pair in pairs.byTrack[t] {
                let (a, b) = (find(t), find(tracks + pair.detection))
                if a != b { parent[Swift.max(a, b)] = Swift.min(a, b) }
            }
        }
        var index = [Int: Int]()
        var members: [Cluster] = []
        for t in 0..<tracks where !pairs.byTrack[t].isEmpty {
            let root = find(t)
            if let k = index[root] {
                members[k].tracks.append(t)
            } else {
                index[root] = members.count
                members.append(Cluster(tracks: [t], detections: []))
            }
        }
        for d in 0..<detections where !pairs.byDetection[d].isEmpty {
            members[index[find(tracks + d)]!].detections.append(d)
        }
        self.members = members
    }
}
