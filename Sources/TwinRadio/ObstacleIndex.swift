import TwinMath
import TwinWorld

/// A uniform 2D grid over the map's obstacles (vertical prisms) for line-of-sight queries.
///
/// Each cell lists, in ascending order, the obstacles whose axis-aligned footprint bounds
/// (grown by a hair, see below) overlap it. A query walks the cells the segment's horizontal
/// projection crosses (Amanatides & Woo 1987, "A fast voxel traversal algorithm") and tests the
/// listed obstacles with the exact `Prism.intersects`, stopping at the first hit. The answer
/// is exactly that of testing every prism (`obstacles.contains { $0.intersects(a, b) }`),
/// including its conventions: touching a face or an edge counts as intersecting, so a segment
/// whose end rests on a face is blocked by that obstacle.
///
/// **Testing each obstacle once, without a mailbox.** The usual trick is a mailbox: a stamp
/// per obstacle, bumped per query. That is mutable scratch, which would make the index a class
/// that needs a lock (or one scratch per thread) to be queried concurrently. This index needs
/// none: the walk is monotone in both cell coordinates (each step moves one column or one row,
/// always the same way), and an obstacle's cells form a rectangle of the grid; the steps of a
/// monotone walk that fall inside a rectangle are consecutive. So an obstacle met before was
/// met in the cell visited just before, and a merge against that cell's sorted list skips it.
/// The index is a plain immutable value, `Sendable`, queried from any number of tasks.
///
/// **Robustness.** Footprint bounds are grown by a small margin (1e-7 of the map's scale)
/// before cells are assigned. Floating-point rounding in the walk can only make it pass on the
/// wrong side of a cell corner by far less than that margin, and an obstacle the segment
/// touches within the margin of a corner is listed in every cell around that corner, so no
/// obstacle the segment touches is ever skipped. The margin only adds candidates; the exact
/// test decides.
public struct ObstacleIndex: Sendable {
    /// The indexed obstacles; results are indices into this array.
    public let obstacles: [Prism]
    /// Lower-left corner of the grid, m.
    public let origin: Point2
    /// Side of a (square) cell, m.
    public let cellSize: Double
    public let columns: Int
    public let rows: Int

    /// Compressed cell lists: the obstacles of cell (i, j) are
    /// `items[start[c]..<start[c + 1]]`, c = j · columns + i, in ascending order.
    private let start: [Int]
    private let items: [Int32]
    /// Obstacles with non-finite bounds: not in the grid, tested by every query.
    private let unindexed: [Int32]
    /// Height range of the indexed obstacles: a segment wholly above or below misses all.
    private let zLow: Double, zHigh: Double
    /// Margin by which footprint bounds are grown before cells are assigned, m.
    private let margin: Double

    /// Most cells a default grid may have (memory ~ 4 bytes per cell plus the lists).
    public static let maxCells = 1 << 22

    /// - Parameters:
    ///   - obstacles: the map's obstacles.
    ///   - size: the map's horizontal extent (x in 0...size.x, y in 0...size.y). The grid also
    ///     covers obstacles that stick out of it.
    ///   - cellSize: side of a cell, m. If nil (or not positive and finite): the mean larger
    ///     side of the obstacles' footprint bounds, clamped to 2–5 m (a cell about the size of
    ///     one machine, so a cell lists few obstacles and a segment crosses few cells), and
    ///     coarser if the map would need more than `maxCells` cells (a given size is raised
    ///     for the same reason).
    public init(obstacles: [Prism], bounds size: SIMD2<Double>, cellSize: Double? = nil) {
        self.obstacles = obstacles
        var lo = Point2(0, 0)
        var hi = Point2(size.x.isFinite ? Swift.max(size.x, 0) : 0, size.y.isFinite ? Swift.max(size.y, 0) : 0)
        var indexed: [Int] = []
        var unindexed: [Int32] = []
        var sideSum = 0.0
        var zLow = Double.infinity
        var zHigh = -Double.infinity
        for (k, p) in obstacles.enumerated() {
            let finite =
                p.lower.x.isFinite && p.lower.y.isFinite && p.upper.x.isFinite && p.upper.y.isFinite
                && p.zMin.isFinite && p.zMax.isFinite
            guard finite else {
                // An empty footprint has lower = +∞ and can never be hit; anything else odd is
                // tested by brute force on every query so the answer stays exact.
                if !p.footprint.isEmpty { unindexed.append(Int32(k)) }
                continue
            }
            indexed.append(k)
            lo = pointwiseMin(lo, p.lower)
            hi = pointwiseMax(hi, p.upper)
            sideSum += Swift.max(p.upper.x - p.lower.x, p.upper.y - p.lower.y)
            zLow = Swift.min(zLow, p.zMin)
            zHigh = Swift.max(zHigh, p.zMax)
        }
        let extent = hi - lo
        var cell: Double
        if let given = cellSize, given > 0, given.isFinite {
            cell = given
        } else {
            cell = indexed.isEmpty ? 5 : Swift.min(Swift.max(sideSum / Double(indexed.count), 2), 5)
        }
        // At most `maxCells` cells, and at most 2^15 per axis, whatever was asked.
        cell = Swift.max(
            cell, (extent.x * extent.y / Double(Self.maxCells)).squareRoot(),
            Swift.max(extent.x, extent.y) / 32_768)
        let scale = Swift.max(1, abs(lo.x), abs(lo.y), abs(hi.x), abs(hi.y))
        let margin = 1e-7 * scale
        let columns = Swift.max(1, Int((extent.x / cell).rounded(.up)))
        let rows = Swift.max(1, Int((extent.y / cell).rounded(.up)))

        self.origin = lo
        self.cellSize = cell
        self.columns = columns
        self.rows = rows
        self.unindexed = unindexed
        self.zLow = zLow
        self.zHigh = zHigh
        self.margin = margin

        // Two passes: count per cell, then fill. Obstacles go in ascending order, so every
        // cell's list is sorted.
        func cellRange(_ p: Prism) -> (i0: Int, i1: Int, j0: Int, j1: Int) {
            func index(_ x: Double, _ o: Double, _ n: Int) -> Int {
                Swift.min(Swift.max(Int(((x - o) / cell).rounded(.down)), 0), n - 1)
            }
            return (
                index(p.lower.x - margin, lo.x, columns), index(p.upper.x + margin, lo.x, columns),
                index(p.lower.y - margin, lo.y, rows), index(p.upper.y + margin, lo.y, rows)
            )
        }
        var counts = [Int](repeating: 0, count: columns * rows + 1)
        for k in indexed {
            let r = cellRange(obstacles[k])
            for j in r.j0...r.j1 { for i in r.i0...r.i1 { counts[j * columns + i + 1] += 1 } }
        }
        for c in 0..<(columns * rows) { counts[c + 1] += counts[c] }
        var fill = counts
        var items = [Int32](repeating: 0, count: counts[columns * rows])
        for k in indexed {
            let r = cellRange(obstacles[k])
            for j in r.j0...r.j1 {
                for i in r.i0...r.i1 {
                    let c = j * columns + i
                    items[fill[c]] = Int32(k)
                    fill[c] += 1
                }
            }
        }
        self.start = counts
        self.items = items
    }

    /// Whether the segment a→b passes through (or touches) any obstacle.
    public func isBlocked(_ a: Vec3, _ b: Vec3) -> Bool { blockingObstacle(a, b) != nil }

    /// The index of an obstacle the segment a→b passes through or touches, or nil if the path
    /// is clear. Among several, the one found first along the walk from a: usually, but not
    /// always, the one nearest a (obstacles listed in the same cell are tried in index order).
    public func blockingObstacle(_ a: Vec3, _ b: Vec3) -> Int? {
        for k in unindexed where obstacles[Int(k)].intersects(a, b) { return Int(k) }
        guard !items.isEmpty else { return nil }
        guard a.isFinite && b.isFinite else {
            // No sensible walk; answer as brute force would.
            return obstacles.indices.first { obstacles[$0].intersects(a, b) }
        }
        // Wholly above or below every obstacle (exact: `intersects` rejects these too).
        if Swift.min(a.z, b.z) > zHigh || Swift.max(a.z, b.z) < zLow { return nil }

        let p0 = Point2(a.x, a.y)
        let d = Point2(b.x - a.x, b.y - a.y)
        // Clip the horizontal projection to the grid (grown by the margin), Liang–Barsky.
        let gridLo = origin - margin
        let gridHi = origin + Point2(Double(columns), Double(rows)) * cellSize + margin
        var t0 = 0.0
        var t1 = 1.0
        for axis in 0..<2 {
            if d[axis] == 0 {
                if p0[axis] < gridLo[axis] || p0[axis] > gridHi[axis] { return nil }
            } else {
                var ta = (gridLo[axis] - p0[axis]) / d[axis]
                var tb = (gridHi[axis] - p0[axis]) / d[axis]
                if ta > tb { swap(&ta, &tb) }
                t0 = Swift.max(t0, ta)
                t1 = Swift.min(t1, tb)
            }
        }
        if t0 > t1 { return nil }

        let startPoint = p0 + d * t0
        let endPoint = p0 + d * t1
        var i = column(of: startPoint.x)
        var j = row(of: startPoint.y)
        let iEnd = column(of: endPoint.x)
        let jEnd = row(of: endPoint.y)
        let stepI = iEnd > i ? 1 : (iEnd < i ? -1 : 0)
        let stepJ = jEnd > j ? 1 : (jEnd < j ? -1 : 0)
        // Parameter t at which the segment leaves the current cell through its x (y) side,
        // and the t between successive x (y) sides.
        func firstCrossing(_ index: Int, _ step: Int, _ o: Double, _ p: Double, _ dp: Double) -> Double {
            guard step != 0, dp != 0 else { return .infinity }
            let side = o + Double(step > 0 ? index + 1 : index) * cellSize
            return (side - p) / dp
        }
        var tMaxX = firstCrossing(i, stepI, origin.x, p0.x, d.x)
        var tMaxY = firstCrossing(j, stepJ, origin.y, p0.y, d.y)
        let tDeltaX = d.x != 0 ? cellSize / abs(d.x) : .infinity
        let tDeltaY = d.y != 0 ? cellSize / abs(d.y) : .infinity

        var previous = 0..<0  // the previous cell's slice of `items`
        while true {
            let c = j * columns + i
            let current = start[c]..<start[c + 1]
            var p = previous.lowerBound
            for slot in current {
                let k = items[slot]
                while p < previous.upperBound && items[p] < k { p += 1 }
                if p < previous.upperBound && items[p] == k { continue }  // tested one cell ago
                if obstacles[Int(k)].intersects(a, b) { return Int(k) }
            }
            previous = current
            if i == iEnd && j == jEnd { return nil }
            // Monotone steps towards the end cell; when both are possible, cross the nearer side.
            if j == jEnd || (i != iEnd && tMaxX < tMaxY) {
                i += stepI
                tMaxX += tDeltaX
            } else {
                j += stepJ
                tMaxY += tDeltaY
            }
        }
    }

    @inline(__always) private func column(of x: Double) -> Int {
        Swift.min(Swift.max(Int(((x - origin.x) / cellSize).rounded(.down)), 0), columns - 1)
    }

    @inline(__always) private func row(of y: Double) -> Int {
        Swift.min(Swift.max(Int(((y - origin.y) / cellSize).rounded(.down)), 0), rows - 1)
    }
}
