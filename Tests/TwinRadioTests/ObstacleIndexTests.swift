import Testing
import TwinMath
import TwinRadio
import TwinWorld

/// The reference: every prism's own exact test.
private func bruteForce(_ obstacles: [Prism], _ a: Vec3, _ b: Vec3) -> Bool {
    obstacles.contains { $0.intersects(a, b) }
}

/// 50 random boxes (some floating, some snapped to whole metres so faces and corners line up
/// with grid lines), a thin wall, and concave prisms (L, U, a comb) in a 120 × 60 m hall.
private func randomHall(seed: UInt64) -> [Prism] {
    var rng = SeededRandom(seed: seed)
    var obstacles: [Prism] = []
    for k in 0..<50 {
        var x = rng.uniform(-5, 118)
        var y = rng.uniform(-5, 58)
        var w = rng.uniform(0.5, 9)
        var h = rng.uniform(0.5, 9)
        if k % 3 == 0 { (x, y, w, h) = (x.rounded(), y.rounded(), w.rounded(.up), h.rounded(.up)) }
        let zMin = k % 7 == 0 ? rng.uniform(1, 4) : 0
        let zMax = zMin + rng.uniform(0.5, 8)
        obstacles.append(Prism(name: "box-\(k)", kind: "machine", min: Vec3(x, y, zMin), max: Vec3(x + w, y + h, zMax)))
    }
    let p = { (x: Double, y: Double) in Point2(x, y) }
    obstacles.append(
        Prism(name: "wall", kind: "wall", footprint: [p(60, 0), p(60.2, 0), p(60.2, 40), p(60, 40)], zMin: 0, zMax: 10))
    obstacles.append(
        Prism(
            name: "L", kind: "rack",
            footprint: [p(20, 20), p(32, 20), p(32, 24), p(24, 24), p(24, 36), p(20, 36)], zMin: 0, zMax: 3))
    obstacles.append(
        Prism(
            name: "U", kind: "machine",
            footprint: [p(80, 10), p(96, 10), p(96, 26), p(92, 26), p(92, 14), p(84, 14), p(84, 26), p(80, 26)],
            zMin: 0, zMax: 6))
    obstacles.append(
        Prism(
            name: "comb", kind: "building",
            footprint: [
                p(40, 44), p(56, 44), p(56, 56), p(53, 56), p(53, 48), p(51, 48), p(51, 56),
                p(45, 56), p(45, 48), p(43, 48), p(43, 56), p(40, 56),
            ],
            zMin: 0.5, zMax: 12))
    // A concave prism wound clockwise.
    obstacles.append(
        Prism(
            name: "notch", kind: "machine",
            footprint: [p(100, 40), p(100, 52), p(104, 52), p(104.5, 46), p(108, 52), p(108, 40)],
            zMin: 0, zMax: 4))
    return obstacles
}

/// A random point on the boundary of a random obstacle (face, edge or corner).
private func pointOnObstacle(_ obstacles: [Prism], _ rng: inout SeededRandom) -> Vec3 {
    let o = obstacles[rng.index(below: obstacles.count)]
    let e = rng.index(below: o.footprint.count)
    let a = o.footprint[e]
    let b = o.footprint[(e + 1) % o.footprint.count]
    let t = rng.bernoulli(0.3) ? Double(rng.index(below: 2)) : rng.uniform()
    let q = a + (b - a) * t
    let z: Double
    switch rng.index(below: 4) {
    case 0: z = o.zMin
    case 1: z = o.zMax
    default: z = rng.uniform(o.zMin, o.zMax)
    }
    return Vec3(q.x, q.y, z)
}

private func randomSegment(_ obstacles: [Prism], _ rng: inout SeededRandom) -> (Vec3, Vec3) {
    func point() -> Vec3 {
        switch rng.index(below: 10) {
        case 0, 1: return pointOnObstacle(obstacles, &rng)
        case 2, 3:  // whole metres: through grid corners and along faces
            return Vec3(
                Double(rng.index(below: 131)) - 5, Double(rng.index(below: 71)) - 5, Double(rng.index(below: 13)))
        default:
            return Vec3(rng.uniform(-10, 130), rng.uniform(-10, 70), rng.uniform(0, 14))
        }
    }
    let a = point()
    var b = point()
    switch rng.index(below: 20) {
    case 0: b = Vec3(a.x, a.y, b.z)  // vertical
    case 1: b = Vec3(b.x, a.y, b.z)  // along x
    case 2: b = Vec3(a.x, b.y, b.z)  // along y
    case 3: b = a  // a point
    case 4: b = Vec3(b.x, b.y, a.z)  // level
    default: break
    }
    return rng.bernoulli(0.5) ? (a, b) : (b, a)
}

struct ObstacleIndexTests {
    @Test(arguments: [nil, 1.0, 2.5, 4.0, 17.0] as [Double?])
    func agreesWithBruteForceOnRandomSegments(cellSize: Double?) {
        let obstacles = randomHall(seed: 21)
        let index = ObstacleIndex(obstacles: obstacles, bounds: SIMD2(120, 60), cellSize: cellSize)
        var rng = SeededRandom(seed: 22)
        var blocked = 0
        var mismatches = 0
        for _ in 0..<20_000 {
            let (a, b) = randomSegment(obstacles, &rng)
            let expected = bruteForce(obstacles, a, b)
            let hit = index.blockingObstacle(a, b)
            if (hit != nil) != expected || index.isBlocked(a, b) != expected { mismatches += 1 }
            if let k = hit, !obstacles[k].intersects(a, b) { mismatches += 1 }
            if expected { blocked += 1 }
        }
        #expect(mismatches == 0)
        // The sample exercises both answers.
        #expect(blocked > 4000 && blocked < 16_000)
    }

    @Test func defaultCellSizeFollowsTheObstacles() {
        let index = ObstacleIndex(obstacles: randomHall(seed: 21), bounds: SIMD2(120, 60))
        #expect(index.cellSize >= 2 && index.cellSize <= 5)
        #expect(index.columns >= 24 && index.rows >= 12)
        let empty = ObstacleIndex(obstacles: [], bounds: SIMD2(120, 60))
        #expect(!empty.isBlocked(Vec3(0, 0, 1), Vec3(120, 60, 1)))
        // A huge map with a tiny requested cell is coarsened to at most maxCells cells.
        let huge = ObstacleIndex(obstacles: [], bounds: SIMD2(1e5, 1e5), cellSize: 0.01)
        #expect(huge.columns * huge.rows <= ObstacleIndex.maxCells)
    }

    @Test func handCases() {
        let box = Prism(name: "m", kind: "machine", min: Vec3(10, 10, 0), max: Vec3(20, 20, 5))
        let index = ObstacleIndex(obstacles: [box], bounds: SIMD2(40, 40), cellSize: 4)
        // Straight through the middle.
        #expect(index.blockingObstacle(Vec3(0, 15, 1), Vec3(30, 15, 1)) == 0)
        // Beside it, and over it.
        #expect(!index.isBlocked(Vec3(0, 21, 1), Vec3(30, 21, 1)))
        #expect(!index.isBlocked(Vec3(0, 15, 6), Vec3(30, 15, 5.5)))
        // Diagonal through grid corners (multiples of 4) into the box.
        #expect(index.isBlocked(Vec3(0, 0, 1), Vec3(12, 12, 1)))
        #expect(!index.isBlocked(Vec3(0, 0, 1), Vec3(8, 8, 1)))
        // Starting outside the map.
        #expect(index.isBlocked(Vec3(-50, -50, 1), Vec3(15, 15, 1)))
        // Endpoints on a face, going outwards or grazing: whatever the exact test says.
        for (a, b) in [
            (Vec3(10, 15, 1), Vec3(0, 15, 1)), (Vec3(20, 15, 1), Vec3(30, 15, 1)),
            (Vec3(10, 0, 1), Vec3(10, 30, 1)), (Vec3(15, 15, 5), Vec3(15, 30, 9)),
        ] {
            #expect(index.isBlocked(a, b) == box.intersects(a, b))
        }
    }

    @Test func concurrentQueriesAgree() async {
        let obstacles = randomHall(seed: 31)
        let index = ObstacleIndex(obstacles: obstacles, bounds: SIMD2(120, 60))
        var rng = SeededRandom(seed: 32)
        let segments = (0..<4000).map { _ in randomSegment(obstacles, &rng) }
        let expected = segments.map { bruteForce(obstacles, $0.0, $0.1) }
        let results = await withTaskGroup(of: (Int, [Bool]).self) { group in
            for part in 0..<4 {
                group.addTask {
                    (part, segments[(part * 1000)..<((part + 1) * 1000)].map { index.isBlocked($0.0, $0.1) })
                }
            }
            var all = [[Bool]](repeating: [], count: 4)
            for await (part, r) in group { all[part] = r }
            return all.flatMap { $0 }
        }
        #expect(results.count == expected.count)
        #expect(zip(results, expected).filter { $0 != $1 }.count == 0)
    }
}
